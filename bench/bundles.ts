import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { BUNDLING } from '#shared/bundling';
import { FUNCTION_GROUPS, type FunctionGroupName } from '#shared/functions';

const ROOT = path.resolve(import.meta.dirname, '..');

export interface BundleFigures {
  group: FunctionGroupName;
  minifiedBytes: number;
  gzipBytes: number;
  coldInitMsMedian: number;
  coldInitMsRuns: number[];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/**
 * Bundles each group as the CDK stack does, then times `import()` of the bundle in fresh Node
 * processes: the module-init part of a Lambda cold start (what our code adds to it).
 */
export async function benchBundles(runs = 7): Promise<BundleFigures[]> {
  const out = mkdtempSync(path.join(tmpdir(), 'rac-bench-'));
  const figures: BundleFigures[] = [];
  try {
    for (const [group, definition] of Object.entries(FUNCTION_GROUPS) as Array<
      [FunctionGroupName, { entry: string }]
    >) {
      const outfile = path.join(out, group, 'index.mjs');
      await build({
        entryPoints: [path.join(ROOT, definition.entry)],
        outfile,
        bundle: true,
        platform: 'node',
        target: BUNDLING.target,
        format: BUNDLING.format,
        mainFields: ['module', 'main'],
        minify: BUNDLING.minify,
        external: [...BUNDLING.externalModules],
        banner: { js: BUNDLING.banner },
        logLevel: 'error',
      });
      const code = readFileSync(outfile);
      const probe = path.join(out, group, 'probe.mjs');
      writeFileSync(
        probe,
        `const t0 = performance.now(); await import(${JSON.stringify(outfile)}); console.log(performance.now() - t0);`,
      );
      const times: number[] = [];
      for (let i = 0; i < runs; i++) {
        const run = spawnSync(process.execPath, [probe], {
          encoding: 'utf8',
          env: { PATH: process.env.PATH, RAC_RUNTIME: 'local', POWERTOOLS_LOG_LEVEL: 'SILENT' },
        });
        if (run.status !== 0) throw new Error(`${group}: bundle failed to load: ${run.stderr}`);
        times.push(Number(run.stdout.trim()));
      }
      figures.push({
        group,
        minifiedBytes: code.length,
        gzipBytes: gzipSync(code).length,
        coldInitMsMedian: median(times),
        coldInitMsRuns: times,
      });
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  return figures;
}
