import { once } from 'node:events';
import { type AddressInfo, connect, createServer, type Socket } from 'node:net';

/**
 * A small TCP proxy for fault injection in front of DynamoDB Local, the SES emulator or the
 * sandbox bank. It forwards bytes as they are, and on request:
 * - `drop(match)`: forwards the next request whose bytes contain `match` (a header such as
 *   `X-Amz-Target: DynamoDB_20120810.TransactWriteItems`, or a path), waits until the target has
 *   answered — so the request was received and acted on — then cuts the client's connection
 *   without the answer: the caller cannot know whether it happened;
 * - `delay(match, ms)`: holds that answer back for `ms`;
 * - mode `down`: every connection is reset at once (the service is down);
 * - mode `reject-ses`: answers every request as SES does a refused message (HTTP 400,
 *   `MessageRejected`) without reaching the target.
 * Requests on one keep-alive connection are sequential, so a connection's next answer after a
 * matching request is that request's answer.
 */

export type ProxyMode = 'pass' | 'down' | 'reject-ses';

interface Fault {
  match: string;
  kind: 'drop' | 'delay';
  ms: number;
  times: number;
}

export interface FaultProxy {
  endpoint: string;
  port: number;
  mode: ProxyMode;
  /** Requests (connections' first bytes of a request) seen, whatever the mode. */
  readonly requests: number;
  /** Answers withheld by `drop`. */
  readonly dropped: number;
  drop: (match: string, times?: number) => void;
  delay: (match: string, ms: number, times?: number) => void;
  /** Forgets the faults not yet used. */
  clear: () => void;
  /** The service is unreachable: the port refuses connections (ECONNREFUSED) until `accept()`. */
  refuse: () => Promise<void>;
  accept: () => Promise<void>;
  stop: () => Promise<void>;
}

const SES_REJECTED =
  '<ErrorResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><Error><Type>Sender</Type>' +
  '<Code>MessageRejected</Code><Message>Email address is not verified.</Message></Error>' +
  '<RequestId>00000000-0000-0000-0000-000000000000</RequestId></ErrorResponse>';

export async function startFaultProxy(options: { target: string; mode?: ProxyMode }): Promise<FaultProxy> {
  const target = new URL(options.target);
  const faults: Fault[] = [];
  const sockets = new Set<Socket>();
  let requests = 0;
  let dropped = 0;
  const proxy = { mode: options.mode ?? 'pass' } as { mode: ProxyMode };

  const takeFault = (chunk: Buffer): Fault | undefined => {
    const text = chunk.toString('latin1');
    const index = faults.findIndex((f) => f.times > 0 && text.includes(f.match));
    const fault = faults[index];
    if (!fault) return undefined;
    fault.times--;
    return fault;
  };

  const server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    if (proxy.mode === 'down') {
      client.resetAndDestroy();
      return;
    }
    if (proxy.mode === 'reject-ses') {
      let buffered = '';
      client.on('data', (chunk: Buffer) => {
        buffered += chunk.toString('latin1');
        const head = buffered.indexOf('\r\n\r\n');
        if (head < 0) return;
        const length = Number(/content-length:\s*(\d+)/i.exec(buffered.slice(0, head))?.[1] ?? 0);
        if (buffered.length - head - 4 < length) return;
        buffered = '';
        requests++;
        client.write(
          `HTTP/1.1 400 Bad Request\r\ncontent-type: text/xml\r\ncontent-length: ${Buffer.byteLength(SES_REJECTED)}\r\n\r\n${SES_REJECTED}`,
        );
      });
      return;
    }
    const upstream = connect({ host: target.hostname, port: Number(target.port) });
    sockets.add(upstream);
    upstream.on('close', () => {
      sockets.delete(upstream);
      client.destroy();
    });
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    let pending: Fault | undefined;
    client.on('data', (chunk: Buffer) => {
      if (/^[A-Z]+ \S+ HTTP\/1\.1\r\n/.test(chunk.toString('latin1', 0, 64))) requests++;
      pending = takeFault(chunk) ?? pending;
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      const fault = pending;
      pending = undefined;
      if (fault?.kind === 'drop') {
        dropped++;
        upstream.destroy();
        client.resetAndDestroy();
        return;
      }
      if (fault?.kind === 'delay') {
        upstream.pause();
        setTimeout(() => {
          client.write(chunk);
          upstream.resume();
        }, fault.ms);
        return;
      }
      client.write(chunk);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `${target.protocol}//127.0.0.1:${port}${target.pathname === '/' ? '' : target.pathname}`,
    port,
    get mode() {
      return proxy.mode;
    },
    set mode(mode: ProxyMode) {
      proxy.mode = mode;
      // New connections see the new mode; kept-alive ones are cut so they reconnect.
      for (const s of sockets) s.destroy();
    },
    get requests() {
      return requests;
    },
    get dropped() {
      return dropped;
    },
    drop: (match, times = 1) => {
      faults.push({ match, kind: 'drop', ms: 0, times });
    },
    delay: (match, ms, times = 1) => {
      faults.push({ match, kind: 'delay', ms, times });
    },
    clear: () => {
      faults.length = 0;
    },
    refuse: async () => {
      for (const s of sockets) s.destroy();
      server.close();
      await once(server, 'close').catch(() => undefined);
    },
    accept: async () => {
      server.listen(port, '127.0.0.1');
      await once(server, 'listening');
    },
    stop: async () => {
      for (const s of sockets) s.destroy();
      server.close();
      await once(server, 'close').catch(() => undefined);
    },
  };
}
