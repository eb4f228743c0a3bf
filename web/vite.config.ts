import { fileURLToPath } from 'node:url';
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

const API_TARGET = 'http://localhost:3000';

/**
 * The policy the site is served with (CloudFront and the local runtime). `vite preview` sends it
 * too, so a build that needs an inline script or style shows up as a violation before deployment.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "img-src 'self'",
  "style-src 'self'",
  "script-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  plugins: [preact()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // No data: URLs: the CSP allows images and fonts from 'self' only.
    assetsInlineLimit: 0,
    // One entry chunk, no dynamic imports: the modulepreload polyfill would be dead weight.
    modulePreload: { polyfill: false },
  },
  server: {
    proxy: { '/api': { target: API_TARGET } },
  },
  preview: {
    headers: { 'Content-Security-Policy': CONTENT_SECURITY_POLICY },
    proxy: { '/api': { target: API_TARGET } },
  },
});
