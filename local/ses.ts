import type { Server } from 'node:http';
import * as sesEmulator from 'aws-ses-v2-local';
import { assertPortFree } from '#local/ports';

export interface RunningSes {
  endpoint: string;
  stop: () => Promise<void>;
}

/** The SES emulator, in this process: mailbox UI at `/`, sent mail as JSON at `/store`. */
export async function startSes(options: { port: number }): Promise<RunningSes> {
  await assertPortFree(options.port, 'эмулятор SES, SES_PORT');
  // A CommonJS module with `exports.default`: Node's ESM loader and bundlers disagree on where
  // the default export lands, so look in both places.
  const mod = sesEmulator as unknown as { default: unknown };
  const start = (typeof mod.default === 'function' ? mod.default : (mod.default as typeof mod).default) as (config: {
    port: number;
    host: string;
  }) => Promise<Server>;
  const server = await start({ port: options.port, host: '127.0.0.1' });
  return {
    endpoint: `http://127.0.0.1:${options.port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
