import type { Server } from 'node:http';
import startSesEmulator from 'aws-ses-v2-local';
import { assertPortFree } from '#local/ports';

export interface RunningSes {
  endpoint: string;
  stop: () => Promise<void>;
}

/** The SES emulator, in this process: mailbox UI at `/`, sent mail as JSON at `/store`. */
export async function startSes(options: { port: number }): Promise<RunningSes> {
  await assertPortFree(options.port, 'эмулятор SES, SES_PORT');
  const server: Server = await startSesEmulator({ port: options.port, host: '127.0.0.1' });
  return {
    endpoint: `http://127.0.0.1:${options.port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
