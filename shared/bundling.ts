import path from 'node:path';
import type { BuildOptions } from 'esbuild';
import type { FunctionGroup } from '#shared/functions';

/**
 * How function bundles are built, shared by the CDK stack (NodejsFunction bundling) and the
 * benchmark that reports bundle sizes and cold init times, so both measure the same artefact.
 */
export const BUNDLING = {
  target: 'node24',
  format: 'esm',
  minify: true,
  sourcemap: true,
  /**
   * Russian text as UTF-8, not `\uXXXX` escapes (esbuild's default): the messages and mail texts
   * take a third of the bytes, and the import is ~4 ms faster (measured: residents 1.15 → 1.09).
   */
  charset: 'utf8',
  /**
   * Chromium ships its own binary and must stay a real node_modules package (a layer or the
   * bundle's node_modules), never inlined; puppeteer-core, which drives it, comes from the same
   * renderer layer (infra/constructs/rendererLayer.ts), so the ЕПД functions' bundles do not carry
   * ~0.9 MB of it into every cold start. Both are loaded with `require` on the first render
   * (shared/epd/render.ts): an ES module `import` would not search the layer's NODE_PATH.
   */
  externalModules: ['@sparticuz/chromium', 'puppeteer-core'],
  /** ESM bundles still meet CommonJS dependencies that call require(). */
  banner:
    "import { createRequire as __rac_createRequire } from 'node:module'; const require = __rac_createRequire(import.meta.url);",
  /**
   * Packages replaced in the bundles (esbuild `alias`; paths from the project root). The SDK's
   * default credential chain (~130 KiB parsed at every cold start) becomes the environment
   * provider alone, which is where Lambda puts the execution role's credentials
   * (shared/clients/lambdaCredentials.ts). The CLI, the local runtime and the tests are not bundled
   * and keep the whole chain.
   */
  alias: { '@aws-sdk/credential-provider-node': './shared/clients/lambdaCredentials.ts' },
} as const;

const ROOT = path.resolve(import.meta.dirname, '..');

/** BUNDLING.alias with absolute paths: esbuild resolves an alias from its working directory. */
export function bundleAliases(): Record<string, string> {
  return Object.fromEntries(Object.entries(BUNDLING.alias).map(([pkg, file]) => [pkg, path.join(ROOT, file)]));
}

/**
 * esbuild's options for a group's bundle as the stack builds it (NodejsFunction: infra/constructs/
 * portalFunction.ts), for whatever bundles a group outside CDK: the bundle tests and `npm run bench`.
 */
export function esbuildOptionsOf(group: Pick<FunctionGroup, 'traceAwsCalls'>): BuildOptions {
  return {
    bundle: true,
    platform: 'node',
    target: BUNDLING.target,
    format: BUNDLING.format,
    mainFields: ['module', 'main'],
    minify: BUNDLING.minify,
    charset: BUNDLING.charset,
    external: externalModulesOf(group),
    banner: { js: BUNDLING.banner },
    alias: bundleAliases(),
  };
}

/**
 * The modules a group's bundle leaves out: the renderer's, and Powertools Tracer (with the X-Ray
 * SDK, ~0.1 MB) in the groups that do not trace their AWS SDK calls (`traceAwsCalls`): tracing is
 * switched off there (shared/tracer.ts never loads it), so the bundle need not carry it.
 */
export function externalModulesOf(group: Pick<FunctionGroup, 'traceAwsCalls'>): string[] {
  return [
    ...BUNDLING.externalModules,
    ...RUNTIME_SDK_CLIENTS,
    ...(group.traceAwsCalls ? [] : ['@aws-lambda-powertools/tracer']),
  ];
}

/**
 * AWS SDK clients taken from the Lambda runtime's own SDK (on NODE_PATH) with `require`, on first
 * use, instead of bundled: the SMS client (shared/clients/sms.ts, ~0.1 MB) texts a few codes a day,
 * so the two groups that may text do not parse it at every cold start.
 */
export const RUNTIME_SDK_CLIENTS = ['@aws-sdk/client-pinpoint-sms-voice-v2'] as const;
