import { type Gateway, startGateway } from '#local/gateway';
import { freePort } from '#local/ports';

/**
 * The same acceptance cases run against the real handlers through the local gateway: an HTTP
 * client that keeps cookies like a browser and sends the contract's X-Requested-With header.
 */
export interface Client {
  url: string;
  request: (
    method: string,
    path: string,
    options?: { body?: unknown; headers?: Record<string, string>; raw?: string },
  ) => Promise<{ status: number; headers: Headers; text: string; json: any }>;
  stop: () => Promise<void>;
}

export async function startTestGateway(siteDir = 'web/dist'): Promise<{ gateway: Gateway; client: Client }> {
  const gateway = await startGateway({ port: await freePort(), siteDir });
  const url = gateway.url.replace('localhost', '127.0.0.1');
  const client: Client = {
    url,
    request: async (method, path, options = {}) => {
      const headers: Record<string, string> = { ...options.headers };
      let body: string | undefined = options.raw;
      if (options.body !== undefined) {
        headers['content-type'] ??= 'application/json';
        body = JSON.stringify(options.body);
      }
      const res = await fetch(url + path, { method, headers, body });
      const text = await res.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: res.status, headers: res.headers, text, json };
    },
    stop: () => gateway.stop(),
  };
  return { gateway, client };
}
