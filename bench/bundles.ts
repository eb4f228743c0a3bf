import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';
import { BUNDLING, externalModulesOf } from '#shared/bundling';
import { FUNCTION_GROUPS, type FunctionGroup, type FunctionGroupName } from '#shared/functions';
import { record } from './figures.ts';

const ROOT = path.resolve(import.meta.dirname, '..');

/** The floor of issue 13: a handler that only creates the DynamoDB document client, bundled alike. */
const FLOOR_SOURCE = `
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));
export const handler = async () => ({ statusCode: 200, body: String(client !== undefined) });
`;

export const FLOOR = 'floor (bare DynamoDB handler)';

export interface BundleFigures {
  group: FunctionGroupName | typeof FLOOR;
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

interface Built {
  group: BundleFigures['group'];
  outfile: string;
  probe: string;
  metafile: Metafile;
  wall: number[];
  cpu: number[];
}

async function bundle(
  out: string,
  group: BundleFigures['group'],
  entry: { file: string } | { source: string },
  external: string[] = [...BUNDLING.externalModules],
): Promise<Built> {
  const dir = path.join(out, group === FLOOR ? 'floor' : group);
  mkdirSync(dir, { recursive: true });
  const outfile = path.join(dir, 'index.mjs');
  const result = await build({
    ...('file' in entry
      ? { entryPoints: [entry.file] }
      : { stdin: { contents: entry.source, resolveDir: ROOT, loader: 'ts' as const, sourcefile: 'floor.ts' } }),
    outfile,
    bundle: true,
    platform: 'node',
    target: BUNDLING.target,
    format: BUNDLING.format,
    mainFields: ['module', 'main'],
    minify: BUNDLING.minify,
    external,
    banner: { js: BUNDLING.banner },
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
    const built: Built[] = [await bundle(out, FLOOR, { source: FLOOR_SOURCE })];
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
        largest: largestInputs(b.metafile),
      };
    });
  } finally {
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
    })),
  );
  console.log('Largest parts of each bundle:');
  for (const b of figures) {
    console.log(`  ${b.group}: ${b.largest.map((l) => `${l.input} ${kib(l.bytes)}`).join(', ')}`);
  }
  for (const b of figures) {
    const key = b.group === FLOOR ? 'floor' : b.group;
    record('bundles', `${key}.minifiedBytes`, b.minifiedBytes);
    record('bundles', `${key}.gzipBytes`, b.gzipBytes);
    record('bundles', `${key}.coldInitMs`, Number(b.coldInitMsMedian.toFixed(2)));
    record('bundles', `${key}.coldInitCpuMs`, Number(b.coldInitCpuMsMedian.toFixed(2)));
    record('bundles', `${key}.coldInitRatioToFloor`, Number(b.ratioToFloor.toFixed(3)));
    record('bundles', `${key}.coldInitCpuRatioToFloor`, Number(b.cpuRatioToFloor.toFixed(3)));
  }
  console.log('');
  return figures;
}
