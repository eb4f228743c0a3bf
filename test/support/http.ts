import { type Gateway, startGateway } from '#local/gateway';
import { freePort } from '#local/ports';

/**
 * The same acceptance cases run against the real handlers through the local gateway: an HTTP
 * client that keeps cookies like a browser and sends the contract's X-Requested-With header on
 * writes (pass `x-requested-with: ''` to leave it out and test the CSRF check).
 */
export interface Client {
  url: string;
  request: (
    method: string,
    path: string,
    options?: { body?: unknown; headers?: Record<string, string>; raw?: string },
  ) => Promise<{ status: number; headers: Headers; text: string; json: any }>;
  /** A second browser: same gateway, its own cookie jar. */
  fork: () => Client;
  cookies: Map<string, string>;
  stop: () => Promise<void>;
}

export function makeClient(url: string, stop: () => Promise<void>): Client {
  const cookies = new Map<string, string>();
  const client: Client = {
    url,
    cookies,
    request: async (method, path, options = {}) => {
      const headers: Record<string, string> = { ...options.headers };
      if (!['GET', 'HEAD'].includes(method) && !('x-requested-with' in headers)) {
        headers['x-requested-with'] = 'XMLHttpRequest';
      }
      if (headers['x-requested-with'] === '') delete headers['x-requested-with'];
      if (cookies.size) headers.cookie = [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
      let body: string | undefined = options.raw;
      if (options.body !== undefined) {
        headers['content-type'] ??= 'application/json';
        body = JSON.stringify(options.body);
      }
      const res = await fetch(url + path, { method, headers, body });
      for (const set of res.headers.getSetCookie()) {
        const [pair = '', ...attributes] = set.split(';');
        const eq = pair.indexOf('=');
        const name = pair.slice(0, eq).trim();
        const value = pair.slice(eq + 1).trim();
        const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a));
        if (expired || value === '') cookies.delete(name);
        else cookies.set(name, value);
      }
      const text = await res.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: res.status, headers: res.headers, text, json };
    },
    fork: () => makeClient(url, stop),
    stop,
  };
  return client;
}

export async function startTestGateway(siteDir = 'web/dist'): Promise<{ gateway: Gateway; client: Client }> {
  const gateway = await startGateway({ port: await freePort(), siteDir });
  const url = gateway.url.replace('localhost', '127.0.0.1');
  const client = makeClient(url, () => gateway.stop());
  return { gateway, client };
}
