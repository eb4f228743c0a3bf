import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: entry paths in shared/functions.ts are relative to it. */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The built frontend (`npm run build:web`). */
export const WEB_DIST = join(PROJECT_ROOT, 'web', 'dist');

/**
 * Synth must never fail because the frontend has not been built (CI synthesizes before building
 * it, and the infra tests run without it), so an unbuilt site deploys a one-page placeholder.
 */
export const SITE_PLACEHOLDER = fileURLToPath(new URL('./site-placeholder', import.meta.url));

export function siteSource(dir: string = WEB_DIST): { path: string; placeholder: boolean } {
  return existsSync(join(dir, 'index.html'))
    ? { path: dir, placeholder: false }
    : { path: SITE_PLACEHOLDER, placeholder: true };
}
