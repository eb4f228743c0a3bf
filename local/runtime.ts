import { existsSync } from 'node:fs';
import path from 'node:path';
import { ensureTables, localClient, type RunningDynamo, startDynamo } from '#local/dynamo';
import { type Gateway, startGateway } from '#local/gateway';
import { type LocalQueues, startLocalQueues } from '#local/queue';
import { createSandboxAcquirer, SANDBOX_REST, type SandboxAcquirer } from '#local/sandboxAcquirer';
import { createSmsSandbox } from '#local/sandboxSms';
import { type Scheduler, startScheduler } from '#local/scheduler';
import { type RunningSes, startSes } from '#local/ses';
import { config } from '#shared/config';
import { ENV } from '#shared/env';
import { scheduleDefinitions } from '#shared/schedules';
import { TABLES } from '#shared/tables';

export const ROOT = path.resolve(import.meta.dirname, '..');
export const SITE_DIR = path.join(ROOT, 'web', 'dist');

export interface LocalRuntimeOptions {
  port: number;
  dynamoPort: number;
  sesPort: number;
  /** Persist DynamoDB data here; undefined keeps it in memory. */
  dataDir?: string;
  scheduler?: boolean;
  log?: (message: string) => void;
}

export interface LocalRuntime {
  url: string;
  dynamoEndpoint: string;
  sesUrl: string;
  scheduler?: Scheduler;
  /** The queues of shared/queues.ts, delivered in this process (the billing run's batches). */
  queues: LocalQueues;
  /** The sandbox acquiring bank, on the same port under /sandbox-bank/. */
  sandbox: SandboxAcquirer;
  stop: () => Promise<void>;
}

/**
 * Points this process's configuration at the local services. Handlers run in this process, as
 * in a warm Lambda container, and read the same variables they read in AWS.
 */
export function useLocalServices(env: { dynamoEndpoint: string; sesEndpoint: string; publicUrl: string }): void {
  process.env[ENV.runtime] = 'local';
  process.env[ENV.dynamoEndpoint] = env.dynamoEndpoint;
  process.env[ENV.sesEndpoint] = env.sesEndpoint;
  process.env[ENV.publicUrl] = env.publicUrl;
  process.env[ENV.table] ??= TABLES[0]?.localName;
}

/** Starts DynamoDB Local, the SES emulator, the gateway and the scheduler; stops all on failure. */
export async function startLocalRuntime(options: LocalRuntimeOptions): Promise<LocalRuntime> {
  const log = options.log ?? console.log;
  const started: Array<{ stop: () => Promise<void> | void }> = [];
  const stopAll = async () => {
    for (const part of started.reverse()) await part.stop();
    // The ЕПД handler runs in this process and may have launched Chromium; it must not outlive us.
    const { closeBrowser } = await import('#shared/epd/render');
    await closeBrowser();
  };
  try {
    const dynamo: RunningDynamo = await startDynamo({ port: options.dynamoPort, dataDir: options.dataDir });
    started.push(dynamo);
    const ses: RunningSes = await startSes({ port: options.sesPort });
    started.push(ses);
    // RAC_PUBLIC_URL, when set, is the one address of the site (mailed links, the bank's return URL,
    // the redirect of other host names); by default, localhost on PORT.
    const url = (process.env[ENV.publicUrl] ?? `http://localhost:${options.port}`).replace(/\/+$/, '');
    useLocalServices({ dynamoEndpoint: dynamo.endpoint, sesEndpoint: ses.endpoint, publicUrl: url });
    const client = localClient(dynamo.endpoint);
    const created = await ensureTables(client, TABLES);
    client.destroy();
    if (created.length) log(`Созданы таблицы: ${created.join(', ')}`);
    if (!existsSync(path.join(SITE_DIR, 'index.html'))) log('Внимание: сайт не собран (web/dist).');
    const queues = startLocalQueues({ log });
    started.push(queues);
    // The portal talks to the sandbox server to server, on the loopback address the gateway
    // listens on; residents' browsers open its payment page on the public URL.
    process.env[ENV.sberGatewayUrl] ??= `http://127.0.0.1:${options.port}${SANDBOX_REST}`;
    const sandbox = createSandboxAcquirer({
      publicBase: url,
      callbackUrl: `http://127.0.0.1:${options.port}/api/webhooks/sber`,
      log,
    });
    started.push(sandbox);
    const gateway: Gateway = await startGateway({
      port: options.port,
      siteDir: SITE_DIR,
      mounts: [sandbox, createSmsSandbox()],
      canonicalUrl: url,
    });
    started.push(gateway);
    let scheduler: Scheduler | undefined;
    if (options.scheduler !== false) {
      const { windowOpenDay, windowCloseDay } = config();
      scheduler = startScheduler(scheduleDefinitions({ windowOpenDay, windowCloseDay }), log);
      started.push(scheduler);
    }
    return {
      url,
      dynamoEndpoint: dynamo.endpoint,
      sesUrl: `http://localhost:${options.sesPort}`,
      ...(scheduler ? { scheduler } : {}),
      queues,
      sandbox,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
