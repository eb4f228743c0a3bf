import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, startTestGateway } from '#test/support/http';

describe('the local gateway in front of the real handlers', () => {
  let client: Client;
  const site = mkdtempSync(path.join(tmpdir(), 'rac-site-'));

  beforeAll(async () => {
    writeFileSync(path.join(site, 'index.html'), '<!doctype html><title>РАЦ</title>');
    ({ client } = await startTestGateway(site));
  });
  afterAll(() => client.stop());

  it('answers the health check through the system function', async () => {
    const res = await client.request('GET', '/api/health');
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ status: 'ok' });
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('publishes an OpenAPI 3.1 document that lists every route of the route table', async () => {
    const { ROUTES } = await import('#shared/routes');
    const res = await client.request('GET', '/api/openapi.json');
    expect(res.status).toBe(200);
    expect(res.json.openapi).toBe('3.1.0');
    for (const route of ROUTES) {
      expect(res.json.paths[route.path.replace(/^\/api/, '')]?.[route.method.toLowerCase()]).toBeDefined();
    }
  });

  it('answers unknown API paths with the contract error body and a Russian message', async () => {
    const res = await client.request('GET', '/api/nope');
    expect(res.status).toBe(404);
    expect(res.json.error.code).toBe('not_found');
    expect(res.json.error.message).toMatch(/[а-я]/);
  });

  it('answers a wrong method on a known path with 405', async () => {
    const res = await client.request('DELETE', '/api/health', { headers: { 'x-requested-with': 'XMLHttpRequest' } });
    expect(res.status).toBe(405);
    expect(res.json.error.code).toBe('method_not_allowed');
  });

  it('serves the site and falls back to index.html for client-side routes', async () => {
    const home = await client.request('GET', '/');
    expect(home.status).toBe(200);
    expect(home.text).toContain('РАЦ');
    expect(home.headers.get('content-security-policy')).toContain("default-src 'self'");
    const deep = await client.request('GET', '/readings');
    expect(deep.status).toBe(200);
    expect(deep.text).toContain('РАЦ');
    const missing = await client.request('GET', '/assets/missing.js');
    expect(missing.status).toBe(404);
  });

  it('refuses paths that climb out of the site folder', async () => {
    const res = await client.request('GET', '/..%2f..%2fetc%2fpasswd');
    expect(res.text).not.toContain('root:');
  });
});
