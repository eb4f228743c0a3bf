import { fileURLToPath } from 'node:url';
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';
import { SITE_CONTENT_SECURITY_POLICY } from '../shared/sitePolicy.ts';

const API_TARGET = 'http://localhost:3000';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  plugins: [preact()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // No data: URLs: the CSP allows images and fonts from 'self' only.
    assetsInlineLimit: 0,
    // One entry chunk plus the lazy robot-check widget: browsers that run it have modulepreload.
    modulePreload: { polyfill: false },
  },
  server: {
    proxy: { '/api': { target: API_TARGET } },
  },
  preview: {
    headers: { 'Content-Security-Policy': SITE_CONTENT_SECURITY_POLICY },
    proxy: { '/api': { target: API_TARGET } },
  },
});
