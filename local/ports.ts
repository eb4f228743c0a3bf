import net from 'node:net';

/** Resolves when nothing listens on the port; rejects with a clear message otherwise. */
export async function assertPortFree(port: number, what: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const server = net.createServer();
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        new Error(
          err.code === 'EADDRINUSE'
            ? `Порт ${port} занят (${what}). Освободите его или задайте другой порт переменной окружения.`
            : `Порт ${port} недоступен (${what}): ${err.message}`,
        ),
      );
    });
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve()));
  });
}

/** Ports this process has handed out: two calls never return the same one, even once it is free again. */
const handedOut = new Set<number>();

/**
 * A port the OS considers free right now (for tests). The socket is closed before the caller binds
 * it, so another process may take it in between: start with `onFreePort`, which retries then.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = net.createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        const port = typeof address === 'object' && address ? address.port : 0;
        server.close(() => resolve(port));
      });
    });
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}

/** Whether a start failed because its port was taken (our own message, Node's or a Java child's). */
export function isPortTaken(error: unknown): boolean {
  const text =
    error instanceof Error ? `${error.message} ${(error as NodeJS.ErrnoException).code ?? ''}` : String(error);
  return /EADDRINUSE|Address already in use|BindException|Порт \d+ занят/i.test(text);
}

/**
 * Starts something on a free port and, when the port was taken between choosing and binding
 * (by another process or test run), starts it again on another: the race `freePort` leaves open.
 */
export async function onFreePort<T>(start: (port: number) => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start(await freePort());
    } catch (error) {
      if (attempt >= attempts || !isPortTaken(error)) throw error;
    }
  }
}

export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`${what} не запустился за ${Math.round(timeoutMs / 1000)} с`);
}
