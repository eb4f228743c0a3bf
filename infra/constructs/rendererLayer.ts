import { createHash } from 'node:crypto';
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { AssetHashType, DockerImage, Stack } from 'aws-cdk-lib';
import { Architecture, Code, LayerVersion, Runtime } from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { PROJECT_ROOT } from '#infra/paths';
import { FONT_PACKAGE } from '#shared/epd/fonts';

/**
 * The Lambda layer of the PDF renderer: @sparticuz/chromium (its Brotli-packed Chromium, ~67 MB,
 * and its few JavaScript dependencies), puppeteer-core with its dependencies (kept out of the
 * function bundles: ~0.9 MB of code that every cold start would parse, issue 13) and the bill's
 * font package, laid out as
 * `nodejs/node_modules/<package>` so Lambda puts them on NODE_PATH (/opt/nodejs/node_modules).
 *
 * It is staged from this project's own node_modules by local bundling, at synth time and offline:
 * the same files the tests and the benchmark run, at the versions package-lock.json pins. (The
 * alternative, NodejsFunction's `nodeModules`, runs `npm ci` in the bundle at every synth, which
 * needs the registry and copies Chromium into each function's asset.) The asset hash is the
 * packages' names and versions, so an unchanged layer is neither restaged nor redeployed.
 *
 * The npm package carries an x64 Chromium only: functions with this layer run on x86_64.
 */
export const RENDERER_PACKAGES = ['@sparticuz/chromium', 'puppeteer-core', FONT_PACKAGE] as const;

interface StagedPackage {
  name: string;
  version: string;
  dir: string;
  /** Where it goes under `nodejs/node_modules`: its path under the project's node_modules. */
  at: string;
}

/** A package and everything it depends on at run time, resolved as Node would from the project. */
export function runtimeClosure(roots: readonly string[], from: string = PROJECT_ROOT): StagedPackage[] {
  const found = new Map<string, StagedPackage>();
  const visit = (name: string, fromDir: string) => {
    let dir = fromDir;
    let manifest: string | undefined;
    for (;;) {
      const candidate = join(dir, 'node_modules', name, 'package.json');
      if (existsSync(candidate)) {
        manifest = candidate;
        break;
      }
      const up = dirname(dir);
      if (up === dir) break;
      dir = up;
    }
    if (!manifest) throw new Error(`The renderer layer needs ${name}, which is not installed (npm install)`);
    const pkgDir = dirname(manifest);
    if (found.has(pkgDir)) return;
    const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as {
      version: string;
      dependencies?: Record<string, string>;
      optionalDependencies?: Record<string, string>;
    };
    found.set(pkgDir, { name, version: pkg.version, dir: pkgDir, at: relative(join(from, 'node_modules'), pkgDir) });
    for (const dep of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) visit(dep, pkgDir);
  };
  for (const root of roots) visit(root, from);
  return [...found.values()];
}

export class RendererLayer extends LayerVersion {
  /** One layer per stack, shared by every function that renders. */
  static of(scope: Construct): RendererLayer {
    const stack = Stack.of(scope);
    const existing = stack.node.tryFindChild('RendererLayer');
    return (existing as RendererLayer | undefined) ?? new RendererLayer(stack, 'RendererLayer');
  }

  private constructor(scope: Construct, id: string) {
    const packages = runtimeClosure(RENDERER_PACKAGES);
    const fingerprint = createHash('sha256')
      .update(
        packages
          .map((p) => `${p.name}@${p.version}`)
          .sort()
          .join('\n'),
      )
      .digest('hex');
    super(scope, id, {
      description: `Chromium and the bill font of the ЕПД renderer: ${packages
        .filter((p) => (RENDERER_PACKAGES as readonly string[]).includes(p.name))
        .map((p) => `${p.name}@${p.version}`)
        .join(', ')}`,
      compatibleRuntimes: [Runtime.NODEJS_24_X],
      compatibleArchitectures: [Architecture.X86_64],
      code: Code.fromAsset(join(PROJECT_ROOT, 'node_modules', '@sparticuz', 'chromium'), {
        assetHashType: AssetHashType.CUSTOM,
        assetHash: fingerprint,
        bundling: {
          // Never used: local bundling always succeeds (it only copies files).
          image: DockerImage.fromRegistry('dummy'),
          local: {
            tryBundle(outputDir: string): boolean {
              for (const p of packages) {
                cpSync(p.dir, join(outputDir, 'nodejs', 'node_modules', p.at), {
                  recursive: true,
                  // A nested node_modules holds packages staged on their own (if they are needed).
                  filter: (src) => !src.slice(p.dir.length).includes('/node_modules'),
                });
              }
              return true;
            },
          },
        },
      }),
    });
  }
}
