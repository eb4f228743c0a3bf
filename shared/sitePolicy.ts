/**
 * Security headers of the static site, one definition for the local gateway, `vite preview` and
 * the CloudFront response headers policy. The built site needs nothing beyond 'self'.
 */
export const SITE_CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "img-src 'self' data:",
  "style-src 'self'",
  "script-src 'self'",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export const SITE_HEADERS: Record<string, string> = {
  'content-security-policy': SITE_CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'strict-origin-when-cross-origin',
};

/**
 * Caching of the site, locally and in CloudFront's behaviours: Vite names every file under
 * `/assets/` by a hash of its content (a new build is a new name), so those are kept for a year;
 * index.html names the current ones, so the browser asks again on every visit (a 304 when unchanged).
 */
export const SITE_ASSETS_PREFIX = '/assets/';
export const SITE_CACHE_CONTROL = {
  assets: 'public, max-age=31536000, immutable',
  page: 'no-cache',
} as const;
