/**
 * Where a cold request's CPU goes: `tsx bench/coldProfile.ts [group…]` bundles the floor and the
 * groups as bench/bundles.ts does but unminified (each module under esbuild's `// path` comment),
 * runs the import and one typical request in fresh processes under `node --cpu-prof`, and prints
 * the CPU of each module (and the functions costing most), split into the import and the request,
 * summed over the runs and divided by their number. The floor's profile shows what the AWS SDK's
 * own first request costs (credentials, endpoint, the first socket), so it is not counted as ours.
 * Unminified code parses a little slower than the deployed bundle; the split is what this is for.
 */
import './quiet.ts';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { externalModulesOf } from '#shared/bundling';
import { FUNCTION_GROUPS, type FunctionGroup, type FunctionGroupName } from '#shared/functions';
import {
  bundle,
  coldRunEnv,
  FIRST_REQUESTS,
  FLOOR,
  FLOOR_ENV,
  FLOOR_REQUEST_SOURCE,
  seedFirstRequests,
} from './bundles.ts';
import { benchServices } from './support.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const RUNS = Number(process.env.RAC_PROFILE_RUNS ?? 5);
const INTERVAL_US = 200;

interface CpuProfile {
  nodes: Array<{
    id: number;
    positionTicks?: Array<{ line: number; ticks: number }>;
    callFrame: { functionName: string; url: string; lineNumber: number };
    parent?: number;
    children?: number[];
  }>;
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Line (0-based) → the module esbuild's comments put it under. */
function moduleLines(code: string): (line: number) => string {
  const starts: Array<[number, string]> = [];
  code.split('\n').forEach((text, i) => {
    const m = /^\/\/ ((?:node_modules|shared|functions|\.\.|floor)[^\s]*)$/.exec(text);
    if (m) {
      const file = m[1] as string;
      const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1];
      starts.push([i, pkg ? (pkg.startsWith('@smithy') || pkg.startsWith('@aws-sdk') ? `${pkg}` : pkg) : file]);
    }
  });
  return (line) => {
    let lo = 0;
    let hi = starts.length - 1;
    let found = '(bundle top)';
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const [start, name] = starts[mid] as [number, string];
      if (start <= line) {
        found = name;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  };
}

type Tally = Map<string, number>;
const add = (t: Tally, k: string, v: number) => t.set(k, (t.get(k) ?? 0) + v);

function analyse(
  profileFile: string,
  bundleFile: string,
  split: number,
  byModule: Record<'init' | 'request', Tally>,
  byFunction: Record<'init' | 'request', Tally>,
  byCaller: Record<'init' | 'request', Tally>,
) {
  const profile = JSON.parse(readFileSync(profileFile, 'utf8')) as CpuProfile;
  const moduleOf = moduleLines(readFileSync(bundleFile, 'utf8'));
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const bundleUrl = `file://${bundleFile}`;
  const label = (id: number): { module: string; fn: string } => {
    // Self time of a native or Node-internal frame goes to the nearest bundle frame that called it.
    let at: number | undefined = id;
    const top = nodes.get(id)?.callFrame;
    while (at !== undefined) {
      const frame = nodes.get(at)?.callFrame;
      if (frame?.url === bundleUrl) {
        const module = moduleOf(frame.lineNumber);
        const self =
          top && top.url !== bundleUrl
            ? ` ← ${top.functionName || '(anon)'}${top.url ? ` ${path.basename(top.url)}` : ''}`
            : '';
        return { module, fn: `${module} ${frame.functionName || '(anon)'}:${frame.lineNumber + 1}${self}` };
      }
      at = parent.get(at);
    }
    const name = top?.functionName || '(anon)';
    return {
      module: `(outside the bundle) ${name === '(garbage collector)' || name === '(program)' || name === '(idle)' ? name : top?.url ? path.basename(top.url) : name}`,
      fn: `${name} ${top?.url ?? ''}`,
    };
  };
  // The nearest project frame (shared/, functions/) under a sample: what our code made happen.
  const callerOf = (id: number): string => {
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = nodes.get(at)?.callFrame;
      if (frame?.url === bundleUrl) {
        const module = moduleOf(frame.lineNumber);
        if (module.startsWith('shared/') || module.startsWith('functions/'))
          return `${module} ${frame.functionName || '(anon)'}`;
      }
    }
    return '(no project frame)';
  };
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] as number;
    // Each sample counts its interval: a long gap between two samples is the thread waiting (on
    // DynamoDB Local), not running the frame sampled before it.
    const delta = INTERVAL_US;
    const { module, fn } = label(profile.samples[i] as number);
    if (module.includes('(idle)')) continue;
    const phase = t < split ? 'init' : 'request';
    // A bundle frame's own time goes to the modules of the lines it was sampled on: the bundle's
    // top level is one function holding every module's top-level statements.
    const self = nodes.get(profile.samples[i] as number);
    const ticks = self?.callFrame.url === bundleUrl ? self.positionTicks : undefined;
    if (ticks?.length) {
      const all = ticks.reduce((a, p) => a + p.ticks, 0);
      for (const p of ticks) add(byModule[phase], moduleOf(p.line - 1), ((delta / 1000) * p.ticks) / all);
    } else add(byModule[phase], module, delta / 1000);
    add(byFunction[phase], fn, delta / 1000);
    add(byCaller[phase], callerOf(profile.samples[i] as number), delta / 1000);
  }
}

async function main() {
  const wanted = (
    process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(FIRST_REQUESTS)
  ) as FunctionGroupName[];
  const out = mkdtempSync(path.join(tmpdir(), 'rac-cold-profile-'));
  const services = await benchServices();
  try {
    const { eventOf, env } = await seedFirstRequests(RUNS);
    const targets = [
      await bundle(out, FLOOR, { source: FLOOR_REQUEST_SOURCE }, undefined, false),
      await bundle(out, FLOOR_ENV, { source: FLOOR_REQUEST_SOURCE }, undefined, false),
      ...(await Promise.all(
        wanted.map((g) =>
          bundle(
            out,
            g,
            { file: path.join(ROOT, FUNCTION_GROUPS[g].entry) },
            externalModulesOf(FUNCTION_GROUPS[g] as FunctionGroup),
            false,
          ),
        ),
      )),
    ];
    for (const b of targets) {
      const dir = path.dirname(b.outfile);
      const runner = path.join(dir, 'profiled.mjs');
      writeFileSync(
        runner,
        `const { handler } = await import(${JSON.stringify(b.outfile)});
const split = Number(process.hrtime.bigint() / 1000n);
const result = await handler(JSON.parse(process.env.RAC_BENCH_EVENT), { awsRequestId: 'p', functionName: 'p', getRemainingTimeInMillis: () => 5000 });
console.log(JSON.stringify({ split, status: result.statusCode }));`,
      );
      const byModule = { init: new Map(), request: new Map() } as Record<'init' | 'request', Tally>;
      const byFunction = { init: new Map(), request: new Map() } as Record<'init' | 'request', Tally>;
      const byCaller = { init: new Map(), request: new Map() } as Record<'init' | 'request', Tally>;
      for (let i = 0; i < RUNS; i++) {
        const profDir = path.join(dir, `prof${i}`);
        mkdirSync(profDir);
        const run = spawnSync(
          process.execPath,
          ['--cpu-prof', '--cpu-prof-interval', String(INTERVAL_US), '--cpu-prof-dir', profDir, runner],
          {
            encoding: 'utf8',
            env: coldRunEnv(env, eventOf(b.group, i)),
          },
        );
        if (run.status !== 0) throw new Error(`${b.group}: ${run.stderr}`);
        const { split, status } = JSON.parse(run.stdout.trim()) as { split: number; status: number };
        if (status >= 300) throw new Error(`${b.group}: answered ${status}`);
        const file = readdirSync(profDir)[0] as string;
        analyse(path.join(profDir, file), b.outfile, split, byModule, byFunction, byCaller);
      }
      const total = (t: Tally) => [...t.values()].reduce((a, v) => a + v, 0) / RUNS;
      console.log(
        `\n=== ${b.group}: init ${total(byModule.init).toFixed(1)} ms, request ${total(byModule.request).toFixed(1)} ms (sampled CPU, mean of ${RUNS})`,
      );
      for (const phase of ['init', 'request'] as const) {
        console.log(`  -- ${phase}, by module`);
        for (const [k, v] of [...byModule[phase]]
          .sort((a, c) => c[1] - a[1])
          .slice(0, Number(process.env.RAC_PROFILE_TOP ?? 18))) {
          console.log(`    ${(v / RUNS).toFixed(2).padStart(7)}  ${k}`);
        }
        console.log(`  -- ${phase}, by the nearest project frame`);
        for (const [k, v] of [...byCaller[phase]]
          .sort((a, c) => c[1] - a[1])
          .slice(0, Number(process.env.RAC_PROFILE_TOP ?? 18))) {
          console.log(`    ${(v / RUNS).toFixed(2).padStart(7)}  ${k}`);
        }
        console.log(`  -- ${phase}, by function`);
        for (const [k, v] of [...byFunction[phase]]
          .sort((a, c) => c[1] - a[1])
          .slice(0, Number(process.env.RAC_PROFILE_TOP ?? 18))) {
          console.log(`    ${(v / RUNS).toFixed(2).padStart(7)}  ${k}`);
        }
      }
    }
  } finally {
    await services.stop();
    if (!process.env.RAC_PROFILE_KEEP) rmSync(out, { recursive: true, force: true });
    else console.log(`kept ${out}`);
  }
}

main().catch((error: Error) => {
  console.error(error);
  process.exit(1);
});
