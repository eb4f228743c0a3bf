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
} as const;
