import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from '#local/gateway';
import { freePort } from '#local/ports';

/**
 * The local gateway as `npm start` runs it, with the site's one address (RAC_PUBLIC_URL): a page
 * asked for under another host name is redirected there, path and query kept; the API answers on
 * any host (the bank's callbacks and the health check name whatever host they were given).
 */

let gateway: Gateway;
let port: number;

beforeAll(async () => {
  port = await freePort();
  gateway = await startGateway({ port, siteDir: 'web/dist', canonicalUrl: `http://localhost:${port}` });
});

afterAll(async () => {
  await gateway.stop();
});

/** A GET with the Host header a browser would send for `host`. */
function get(host: string, path: string): Promise<{ status: number; location: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, headers: { host: `${host}:${port}` } }, (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, location: res.headers.location });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the canonical address', () => {
  it('redirects a page on another host name to the same path on the canonical one', async () => {
    expect(await get('127.0.0.1', '/payments/return?id=abc')).toEqual({
      status: 308,
      location: `http://localhost:${port}/payments/return?id=abc`,
    });
    expect((await get('127.0.0.1', '/')).location).toBe(`http://localhost:${port}/`);
  });

  it('serves the page on the canonical host', async () => {
    const page = await get('localhost', '/account');
    expect(page.status).toBe(200);
    expect(page.location).toBeUndefined();
  });

  it('leaves the API alone on any host', async () => {
    const health = await get('127.0.0.1', '/api/health');
    expect(health).toEqual({ status: 200, location: undefined });
  });
});
