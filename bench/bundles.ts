import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { build, type Metafile } from 'esbuild';
import { openSession } from '#shared/accounts/sessions';
import type { Cabinet } from '#shared/accounts/store';
import { BUNDLING, esbuildOptionsOf, externalModulesOf } from '#shared/bundling';
import { db, tableName } from '#shared/clients/dynamo';
import { ENV } from '#shared/env';
import { FUNCTION_GROUPS, type FunctionGroup, type FunctionGroupName } from '#shared/functions';
import { keys } from '#shared/keys';
import { meterIdOf } from '#shared/readings/meterId';
import { importRegistry } from '#shared/registry/importRegistry';
import { setWindow } from '#shared/window/windowStore';
import { httpEvent, lambdaContext } from '../test/support/events.ts';
import { record } from './figures.ts';
import { benchServices } from './support.ts';

const ROOT = path.resolve(import.meta.dirname, '..');

/** The floor of issue 13: a handler that only creates the DynamoDB document client, bundled alike. */
const FLOOR_SOURCE = `
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));
export const handler = async () => ({ statusCode: 200, body: String(client !== undefined) });
`;

export const FLOOR = 'floor (bare DynamoDB handler)';

/**
 * The same bare handler bundled with the functions' aliases (shared/bundling.ts: the SDK's credential
 * chain reduced to the environment provider). Not the goal's floor, which is the handler as anyone
 * would bundle it; printed beside it so that what our own code adds stays visible.
 */
export const FLOOR_ENV = 'floor, environment credentials only';

type Floor = typeof FLOOR | typeof FLOOR_ENV;
const isFloor = (group: string): group is Floor => group === FLOOR || group === FLOOR_ENV;
/** The key a floor's figures are recorded under. */
const keyOf = (group: string) => (group === FLOOR ? 'floor' : group === FLOOR_ENV ? 'floorEnv' : group);

/** The floor of a cold request: the same bare handler answering with one GetItem. */
export const FLOOR_REQUEST_SOURCE = `
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
const client = DynamoDBDocumentClient.from(
  new DynamoDBClient({ endpoint: process.env.RAC_DYNAMODB_ENDPOINT, region: 'eu-central-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
);
export const handler = async () => {
  const { Item } = await client.send(new GetCommand({ TableName: process.env.RAC_TABLE, Key: { pk: 'BENCH', sk: 'FLOOR' } }));
  return { statusCode: 200, body: JSON.stringify(Item ?? null) };
};
`;

export interface BundleFigures {
  group: FunctionGroupName | Floor;
  minifiedBytes: number;
  gzipBytes: number;
  /** Wall time of `import()` in a fresh process, median of the runs. */
  coldInitMsMedian: number;
  coldInitMsRuns: number[];
  /** CPU time (user + system, all threads) of the same import: steadier than wall time on a busy machine. */
  coldInitCpuMsMedian: number;
  /** Ratios of the medians to the floor's, measured in the same run. */
  ratioToFloor: number;
  cpuRatioToFloor: number;
  /** CPU ratio to the bare handler bundled with the same aliases (FLOOR_ENV): our own code's share. */
  cpuRatioToFloorEnv: number;
  /** The largest packages (or project folders) in the bundle, by bytes of output. */
  largest: Array<{ input: string; bytes: number }>;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Output bytes per npm package (or per project folder), largest first. */
function largestInputs(metafile: Metafile, top = 6): Array<{ input: string; bytes: number }> {
  const byPackage = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [file, { bytesInOutput }] of Object.entries(output.inputs)) {
      const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1] ?? path.dirname(file);
      byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + bytesInOutput);
    }
  }
  return [...byPackage]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([input, bytes]) => ({ input, bytes }));
}

export interface Built {
  group: BundleFigures['group'];
  outfile: string;
  probe: string;
  metafile: Metafile;
  wall: number[];
  cpu: number[];
}

export async function bundle(
  out: string,
  group: BundleFigures['group'],
  entry: { file: string } | { source: string },
  external: string[] = [...BUNDLING.externalModules],
  /** Readable output for a CPU profile (bench/coldProfile.ts): each module under its `// path` comment. */
  minify: boolean = BUNDLING.minify,
): Promise<Built> {
  const dir = path.join(out, keyOf(group));
  mkdirSync(dir, { recursive: true });
  const outfile = path.join(dir, 'index.mjs');
  const result = await build({
    ...('file' in entry
      ? { entryPoints: [entry.file] }
      : { stdin: { contents: entry.source, resolveDir: ROOT, loader: 'ts' as const, sourcefile: 'floor.ts' } }),
    // As the stack bundles it (its externals given), except that the goal's floor is the bare
    // handler bundled plainly, without the functions' aliases.
    ...esbuildOptionsOf({}),
    outfile,
    minify,
    external,
    ...(group === FLOOR ? { alias: {} } : {}),
    metafile: true,
    logLevel: 'error',
  });
  const probe = path.join(dir, 'probe.mjs');
  writeFileSync(
    probe,
    `const c0 = process.cpuUsage(); const t0 = performance.now(); await import(${JSON.stringify(outfile)});
const wall = performance.now() - t0; const c = process.cpuUsage(c0);
console.log(JSON.stringify({ wall, cpu: (c.user + c.system) / 1000 }));`,
  );
  // The cold request as a whole: the import, then one request (an event given in RAC_BENCH_EVENT).
  writeFileSync(
    path.join(dir, 'first.mjs'),
    `const c0 = process.cpuUsage(); const t0 = performance.now(); const { handler } = await import(${JSON.stringify(outfile)});
const init = process.cpuUsage(c0);
const context = { ...${JSON.stringify(lambdaContext)}, getRemainingTimeInMillis: () => 5000 };
const result = await handler(JSON.parse(process.env.RAC_BENCH_EVENT), context);
const wall = performance.now() - t0; const c = process.cpuUsage(c0);
console.log(JSON.stringify({ wall, initCpu: (init.user + init.system) / 1000, cpu: (c.user + c.system) / 1000, status: result.statusCode }));`,
  );
  return { group, outfile, probe, metafile: result.metafile, wall: [], cpu: [] };
}

/**
 * Bundles each group as the CDK stack does (shared/bundling.ts), and the floor alike, then times
 * `import()` of each bundle in fresh Node processes: the module-init part of a Lambda cold start
 * (what our code adds to it). The runs interleave (floor, every group, floor, …) so that a busy
 * machine slows the floor and the groups alike and the ratios stay meaningful.
 */
export async function benchBundles(runs = 9): Promise<BundleFigures[]> {
  const out = mkdtempSync(path.join(tmpdir(), 'rac-bench-'));
  try {
    const built: Built[] = [
      await bundle(out, FLOOR, { source: FLOOR_SOURCE }),
      await bundle(out, FLOOR_ENV, { source: FLOOR_SOURCE }),
    ];
    for (const [group, definition] of Object.entries(FUNCTION_GROUPS) as Array<[FunctionGroupName, FunctionGroup]>) {
      // As the stack builds it: the same externals (shared/bundling.ts), so the same bytes.
      const external = externalModulesOf(definition);
      built.push(await bundle(out, group, { file: path.join(ROOT, definition.entry) }, external));
    }
    for (let i = 0; i < runs; i++) {
      for (const b of built) {
        const run = spawnSync(process.execPath, [b.probe], {
          encoding: 'utf8',
          env: { PATH: process.env.PATH, RAC_RUNTIME: 'local', POWERTOOLS_LOG_LEVEL: 'SILENT' },
        });
        if (run.status !== 0) throw new Error(`${b.group}: bundle failed to load: ${run.stderr}`);
        const { wall, cpu } = JSON.parse(run.stdout.trim()) as { wall: number; cpu: number };
        b.wall.push(wall);
        b.cpu.push(cpu);
      }
    }
    const floor = built[0] as Built;
    const floorWall = median(floor.wall);
    const floorCpu = median(floor.cpu);
    const floorEnvCpu = median((built[1] as Built).cpu);
    return built.map((b) => {
      const code = readFileSync(b.outfile);
      return {
        group: b.group,
        minifiedBytes: code.length,
        gzipBytes: gzipSync(code).length,
        coldInitMsMedian: median(b.wall),
        coldInitMsRuns: b.wall,
        coldInitCpuMsMedian: median(b.cpu),
        ratioToFloor: median(b.wall) / floorWall,
        cpuRatioToFloor: median(b.cpu) / floorCpu,
        cpuRatioToFloorEnv: median(b.cpu) / floorEnvCpu,
        largest: largestInputs(b.metafile),
      };
    });
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** A typical request of each API group: the one most of its cold starts serve. */
export const FIRST_REQUESTS: Partial<
  Record<FunctionGroupName, { method: string; path: string; session: boolean; body?: (account: string) => unknown }>
> = {
  system: { method: 'GET', path: '/api/health', session: false },
  auth: { method: 'GET', path: '/api/captcha', session: false },
  residents: { method: 'GET', path: '/api/me', session: true },
  readings: {
    method: 'POST',
    path: '/api/readings',
    session: true,
    body: (account) => ({ readings: [{ meterId: meterIdOf(`${account}-COLD`), value: '104,5' }] }),
  },
  statement: { method: 'GET', path: '/api/statement', session: true },
  payments: { method: 'GET', path: '/api/payments', session: true },
};

export interface FirstRequestFigures {
  group: FunctionGroupName | Floor;
  route: string;
  /** CPU time of the import and of the import plus the first request, medians of the runs. */
  initCpuMs: number;
  coldRequestCpuMs: number;
  /** The request alone (each run's import subtracted from its whole), median of the runs. */
  requestCpuMs: number;
  coldRequestWallMs: number;
  cpuRatioToFloor: number;
  /** To the bare handler bundled with the same aliases (FLOOR_ENV). */
  cpuRatioToFloorEnv: number;
}

/**
 * Seeds what the typical requests need, one account per run (each run its own account, session and
 * source address, so no limit or replaced reading carries over): the accounts with one meter, a
 * cabinet each, an open window. Returns the event of run `i` for a group (the floor: any event).
 * The services (benchServices) must be running.
 */
export async function seedFirstRequests(runs: number): Promise<{
  eventOf: (group: BundleFigures['group'], i: number) => ReturnType<typeof httpEvent>;
  env: Record<string, string>;
}> {
  const accounts = Array.from({ length: runs }, (_, i) => String(870001 + i));
  const imports = {
    tariffs: ['service;unit;price;norm;from', 'cold_water;м³;35,12;3,8;2025-07'],
    accounts: ['account;owner;passport;address;area;residents'],
    meters: ['account;meter;service;reading;verified_until'],
  };
  for (const [i, account] of accounts.entries()) {
    imports.accounts.push(`${account};Житель ${i};16${String(i).padStart(2, '0')} ${300000 + i};г. Старый Оскол;50;2`);
    imports.meters.push(`${account};${account}-COLD;cold_water;100;2035-12-31`);
  }
  for (const kind of ['tariffs', 'accounts', 'meters'] as const) {
    const report = await importRegistry(kind, Buffer.from(imports[kind].join('\n')));
    if (report.errors.length) throw new Error(`bench import ${kind}: ${JSON.stringify(report.errors[0])}`);
  }
  await setWindow(true, 'operator');
  // A cabinet per account, as registration leaves it (the `residents` group requires one).
  const at = new Date().toISOString();
  for (const account of accounts) {
    const cabinet: Cabinet = {
      account,
      passwordHash: 'bench',
      email: `bench${account}@example.org`,
      remindersOptIn: false,
      billByEmail: false,
      consent: { version: 'bench', acceptedAt: at },
      registeredAt: at,
      passwordChangedAt: at,
    };
    await db().send(
      new PutCommand({
        TableName: tableName(),
        Item: { ...keys.cabinet(account), entity: 'credentials', ...cabinet },
      }),
    );
  }
  const cookies = await Promise.all(accounts.map(async (a) => (await openSession(a)).cookie.split(';')[0] as string));
  const env = Object.fromEntries(
    [ENV.runtime, ENV.dynamoEndpoint, ENV.sesEndpoint, ENV.table, ENV.testMode].map((name) => [
      name,
      process.env[name] as string,
    ]),
  );
  const eventOf = (group: BundleFigures['group'], i: number) => {
    const request = isFloor(group) ? undefined : FIRST_REQUESTS[group];
    const event = httpEvent(request?.method ?? 'GET', request?.path ?? '/', {
      headers: { 'content-type': 'application/json', 'x-requested-with': 'XMLHttpRequest' },
      ...(request?.body ? { body: JSON.stringify(request.body(accounts[i] as string)) } : {}),
    });
    event.requestContext.http.sourceIp = `198.51.100.${i + 1}`;
    if (request?.session) event.cookies = [cookies[i] as string];
    return event;
  };
  return { eventOf, env };
}

/** The environment of a fresh process running a bundle's first request: the services', quiet logs, the event. */
export function coldRunEnv(services: Record<string, string>, event: unknown): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    ...services,
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    RAC_BENCH_EVENT: JSON.stringify(event),
  };
}

/**
 * The cold request as a whole: `import()` of the bundle in a fresh process, then one typical request
 * against DynamoDB Local (a seeded account with one meter, its own session and an open window each
 * run), so that work moved from the cold start into the first request shows here. The floor is the
 * bare handler answering with one GetItem.
 */
export async function benchFirstRequests(runs = 9): Promise<FirstRequestFigures[]> {
  const out = mkdtempSync(path.join(tmpdir(), 'rac-bench-first-'));
  const services = await benchServices();
  try {
    const { eventOf, env } = await seedFirstRequests(runs);
    const built: Array<Built & { route: string; initCpu: number[] }> = [
      { ...(await bundle(out, FLOOR, { source: FLOOR_REQUEST_SOURCE })), route: 'GetItem', initCpu: [] },
      { ...(await bundle(out, FLOOR_ENV, { source: FLOOR_REQUEST_SOURCE })), route: 'GetItem', initCpu: [] },
    ];
    for (const [group, request] of Object.entries(FIRST_REQUESTS) as Array<
      [FunctionGroupName, NonNullable<(typeof FIRST_REQUESTS)[FunctionGroupName]>]
    >) {
      const definition: FunctionGroup = FUNCTION_GROUPS[group];
      const b = await bundle(out, group, { file: path.join(ROOT, definition.entry) }, externalModulesOf(definition));
      built.push({ ...b, route: `${request.method} ${request.path}`, initCpu: [] });
    }
    for (let i = 0; i < runs; i++) {
      for (const b of built) {
        const run = spawnSync(process.execPath, [path.join(path.dirname(b.outfile), 'first.mjs')], {
          encoding: 'utf8',
          env: coldRunEnv(env, eventOf(b.group, i)),
        });
        if (run.status !== 0) throw new Error(`${b.group}: first request failed: ${run.stderr}`);
        const figures = JSON.parse(run.stdout.trim()) as { wall: number; initCpu: number; cpu: number; status: number };
        if (figures.status >= 300) throw new Error(`${b.group}: ${b.route} answered ${figures.status}`);
        b.wall.push(figures.wall);
        b.cpu.push(figures.cpu);
        b.initCpu.push(figures.initCpu);
      }
    }
    const floorCpu = median((built[0] as Built).cpu);
    const floorEnvCpu = median((built[1] as Built).cpu);
    return built.map((b) => ({
      group: b.group,
      route: b.route,
      initCpuMs: median(b.initCpu),
      coldRequestCpuMs: median(b.cpu),
      requestCpuMs: median(b.cpu.map((cpu, i) => cpu - (b.initCpu[i] as number))),
      coldRequestWallMs: median(b.wall),
      cpuRatioToFloor: median(b.cpu) / floorCpu,
      cpuRatioToFloorEnv: median(b.cpu) / floorEnvCpu,
    }));
  } finally {
    await services.stop();
    rmSync(out, { recursive: true, force: true });
  }
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

/** Issue 13, goal 1: every API function's cold init at most this many times the floor's. */
export const COLD_INIT_GOAL = 1.15;

/** Prints the bundle section and records its figures (section `bundles`). */
export async function printBundles(runs = 9): Promise<BundleFigures[]> {
  console.log(
    `Function bundles (esbuild as in the CDK stack; cold init = import() in a fresh process, median of ${runs}; ` +
      `ratio to the floor measured in the same run, goal ≤ ${COLD_INIT_GOAL})`,
  );
  const figures = await benchBundles(runs);
  console.table(
    figures.map((b) => ({
      group: b.group,
      minified: kib(b.minifiedBytes),
      gzip: kib(b.gzipBytes),
      'cold init ms': b.coldInitMsMedian.toFixed(1),
      'ratio to floor': b.ratioToFloor.toFixed(2),
      'cpu ms': b.coldInitCpuMsMedian.toFixed(1),
      'cpu ratio': b.cpuRatioToFloor.toFixed(2),
      'cpu ratio, env floor': b.cpuRatioToFloorEnv.toFixed(2),
    })),
  );
  console.log('Largest parts of each bundle:');
  for (const b of figures) {
    console.log(`  ${b.group}: ${b.largest.map((l) => `${l.input} ${kib(l.bytes)}`).join(', ')}`);
  }
  for (const b of figures) {
    const key = keyOf(b.group);
    record('bundles', `${key}.minifiedBytes`, b.minifiedBytes);
    record('bundles', `${key}.gzipBytes`, b.gzipBytes);
    record('bundles', `${key}.coldInitMs`, Number(b.coldInitMsMedian.toFixed(2)));
    record('bundles', `${key}.coldInitCpuMs`, Number(b.coldInitCpuMsMedian.toFixed(2)));
    record('bundles', `${key}.coldInitRatioToFloor`, Number(b.ratioToFloor.toFixed(3)));
    record('bundles', `${key}.coldInitCpuRatioToFloor`, Number(b.cpuRatioToFloor.toFixed(3)));
    record('bundles', `${key}.coldInitCpuRatioToFloorEnv`, Number(b.cpuRatioToFloorEnv.toFixed(3)));
  }
  console.log('');
  console.log(
    `Cold requests (import() then one typical request against DynamoDB Local, fresh process, CPU median of ${runs}; ` +
      'floor: the bare handler answering with one GetItem)',
  );
  const requests = await benchFirstRequests(runs);
  console.table(
    requests.map((r) => ({
      group: r.group,
      route: r.route,
      'init cpu ms': r.initCpuMs.toFixed(1),
      'init + request cpu ms': r.coldRequestCpuMs.toFixed(1),
      'request cpu ms': r.requestCpuMs.toFixed(1),
      'cpu ratio': r.cpuRatioToFloor.toFixed(2),
      'cpu ratio, env floor': r.cpuRatioToFloorEnv.toFixed(2),
      'wall ms': r.coldRequestWallMs.toFixed(1),
    })),
  );
  for (const r of requests) {
    const key = keyOf(r.group);
    record('bundles', `${key}.coldRequestCpuMs`, Number(r.coldRequestCpuMs.toFixed(2)));
    record('bundles', `${key}.firstRequestCpuMs`, Number(r.requestCpuMs.toFixed(2)));
    record('bundles', `${key}.coldRequestCpuRatioToFloor`, Number(r.cpuRatioToFloor.toFixed(3)));
    record('bundles', `${key}.coldRequestCpuRatioToFloorEnv`, Number(r.cpuRatioToFloorEnv.toFixed(3)));
    record('bundles', `${key}.coldRequestWallMs`, Number(r.coldRequestWallMs.toFixed(2)));
  }
  console.log('');
  return figures;
}
