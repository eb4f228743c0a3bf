import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '#local/gateway';
import { startTestGateway } from '#test/support/http';

/** Raw bytes and headers, without fetch's own decompression. */
function get(
  gateway: Gateway,
  pathname: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${gateway.url.replace('localhost', '127.0.0.1')}${pathname}`,
      { method, headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('the built site served as CloudFront serves it', () => {
  let gateway: Gateway;
  let stop: () => Promise<void>;
  const site = mkdtempSync(path.join(tmpdir(), 'rac-site-'));
  const script = `export const months = ${JSON.stringify(Array.from({ length: 200 }, (_, i) => `Месяц ${i}`))};\n`;
  const page = `<!doctype html><html lang="ru"><title>РАЦ</title><body>${'<p>Личный кабинет</p>'.repeat(80)}</body></html>`;

  beforeAll(async () => {
    mkdirSync(path.join(site, 'assets'));
    writeFileSync(path.join(site, 'index.html'), page);
    writeFileSync(path.join(site, 'assets', 'app-3f9a1c.js'), script);
    writeFileSync(path.join(site, 'assets', 'tiny-77aa01.js'), 'export {};\n');
    writeFileSync(path.join(site, 'assets', 'logo-0c1d2e.png'), Buffer.alloc(4000, 7));
    const started = await startTestGateway(site);
    gateway = started.gateway;
    stop = started.client.stop;
  });
  afterAll(() => stop());

  it('sends brotli to a browser that takes it, gzip to one that takes only gzip, and the file otherwise', async () => {
    const br = await get(gateway, '/assets/app-3f9a1c.js', { 'accept-encoding': 'gzip, deflate, br, zstd' });
    expect(br.status).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(br.body).toString()).toBe(script);
    expect(Number(br.headers['content-length'])).toBe(br.body.length);
    expect(br.body.length).toBeLessThan(Buffer.byteLength(script) / 2);

    const gz = await get(gateway, '/assets/app-3f9a1c.js', { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).toString()).toBe(script);

    const refusing: Record<string, string>[] = [
      {},
      { 'accept-encoding': 'br;q=0, gzip;q=0' },
      { 'accept-encoding': 'identity' },
    ];
    for (const headers of refusing) {
      const plain = await get(gateway, '/assets/app-3f9a1c.js', headers);
      expect(plain.headers['content-encoding'], JSON.stringify(headers)).toBeUndefined();
      expect(plain.body.toString()).toBe(script);
    }
    // A q-value wins over the order the browser listed them in.
    const preferred = await get(gateway, '/assets/app-3f9a1c.js', { 'accept-encoding': 'br;q=0.5, gzip' });
    expect(preferred.headers['content-encoding']).toBe('gzip');
  });

  it('names the type, varies by Accept-Encoding, and compresses the page for client routes too', async () => {
    const js = await get(gateway, '/assets/app-3f9a1c.js', { 'accept-encoding': 'br' });
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers.vary).toBe('Accept-Encoding');
    const route = await get(gateway, '/readings/history', { 'accept-encoding': 'gzip' });
    expect(route.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(route.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(route.body).toString()).toBe(page);
    expect(route.headers['content-security-policy']).toContain("default-src 'self'");
  });

  it('leaves files under 1 000 bytes and images that are compressed already as they are', async () => {
    const tiny = await get(gateway, '/assets/tiny-77aa01.js', { 'accept-encoding': 'br, gzip' });
    expect(tiny.headers['content-encoding']).toBeUndefined();
    expect(tiny.body.toString()).toBe('export {};\n');
    const png = await get(gateway, '/assets/logo-0c1d2e.png', { 'accept-encoding': 'br, gzip' });
    expect(png.headers['content-type']).toBe('image/png');
    expect(png.headers['content-encoding']).toBeUndefined();
    expect(png.body.length).toBe(4000);
  });

  it('caches hashed assets for a year and makes the browser revalidate the page', async () => {
    const asset = await get(gateway, '/assets/app-3f9a1c.js');
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    for (const pathname of ['/', '/index.html', '/account']) {
      expect((await get(gateway, pathname)).headers['cache-control'], pathname).toBe('no-cache');
    }
  });

  it('answers a revalidation with 304 and no body while the file is unchanged', async () => {
    const first = await get(gateway, '/', { 'accept-encoding': 'br' });
    const etag = first.headers.etag as string;
    expect(etag).toBeTruthy();
    const again = await get(gateway, '/', { 'accept-encoding': 'br', 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    const other = await get(gateway, '/', { 'if-none-match': 'W/"0-0"' });
    expect(other.status).toBe(200);
    expect(other.body.toString()).toBe(page);
  });

  it('answers HEAD with the headers of GET and no body', async () => {
    const head = await get(gateway, '/assets/app-3f9a1c.js', { 'accept-encoding': 'gzip' }, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers['content-encoding']).toBe('gzip');
    expect(Number(head.headers['content-length'])).toBeGreaterThan(0);
    expect(head.body.length).toBe(0);
  });
});
