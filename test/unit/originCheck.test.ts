import { afterEach, describe, expect, it, vi } from 'vitest';

const secrets = vi.hoisted(() => ({ origin: 'origin-secret-only-cloudfront-knows-0123456789' as string | undefined }));
vi.mock('#shared/secrets', () => ({ secretValue: async () => secrets.origin, forgetSecrets: () => undefined }));

const { resetConfigForTests } = await import('#shared/config');
const { httpRoutes } = await import('#shared/http/api');
const { ORIGIN_HEADER } = await import('#shared/http/origin');
const { httpEvent, lambdaContext } = await import('#test/support/events');

/**
 * Deployed, the API's execute-api address is public: a request that did not come through CloudFront
 * (which adds the origin secret header) would skip the web ACL. It is refused before anything runs.
 */
const handler = httpRoutes(
  [
    {
      method: 'GET',
      path: '/api/health',
      group: 'system',
      summary: 'health',
      tag: 'test',
      auth: false,
      success: { status: 200 },
    },
  ] as const,
  { 'GET /api/health': () => ({ body: { status: 'ok' } }) },
);

const call = (headers: Record<string, string> = {}) =>
  handler(httpEvent('GET', '/api/health', { headers }), lambdaContext) as Promise<{ statusCode: number; body: string }>;

describe('the API behind CloudFront', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    resetConfigForTests();
  });

  it('deployed, answers only requests carrying the origin secret', async () => {
    vi.stubEnv('RAC_RUNTIME', 'aws');
    resetConfigForTests();
    const direct = await call();
    expect(direct.statusCode).toBe(403);
    expect(JSON.parse(direct.body).error.code).toBe('forbidden');
    expect((await call({ [ORIGIN_HEADER]: 'guess' })).statusCode).toBe(403);
    expect((await call({ [ORIGIN_HEADER]: `${secrets.origin}x` })).statusCode).toBe(403);
    expect((await call({ [ORIGIN_HEADER]: secrets.origin as string })).statusCode).toBe(200);
  });

  it('deployed without the secret written yet, lets nobody in', async () => {
    vi.stubEnv('RAC_RUNTIME', 'aws');
    resetConfigForTests();
    secrets.origin = undefined;
    try {
      expect((await call({ [ORIGIN_HEADER]: '' })).statusCode).toBeGreaterThanOrEqual(403);
      expect((await call({ [ORIGIN_HEADER]: '' })).statusCode).not.toBe(200);
    } finally {
      secrets.origin = 'origin-secret-only-cloudfront-knows-0123456789';
    }
  });

  it('locally, the gateway plays CloudFront: no header needed', async () => {
    vi.stubEnv('RAC_RUNTIME', 'local');
    resetConfigForTests();
    expect((await call()).statusCode).toBe(200);
  });
});
