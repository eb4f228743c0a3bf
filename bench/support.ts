import { ensureTables, localClient, type RunningDynamo, startDynamo } from '#local/dynamo';
import { freePort } from '#local/ports';
import { type RunningSes, startSes } from '#local/ses';
import { db, resetDbForTests } from '#shared/clients/dynamo';
import { resetMailForTests } from '#shared/clients/mail';
import { resetConfigForTests } from '#shared/config';
import { ENV } from '#shared/env';
import { MAIN_TABLE } from '#shared/tables';

/** An in-memory DynamoDB Local and SES emulator on free ports, with this process pointed at them. */
export async function benchServices(): Promise<{ stop: () => Promise<void> }> {
  const dynamo: RunningDynamo = await startDynamo({ port: await freePort() });
  const ses: RunningSes = await startSes({ port: await freePort() });
  process.env[ENV.runtime] = 'local';
  process.env[ENV.dynamoEndpoint] = dynamo.endpoint;
  process.env[ENV.sesEndpoint] = ses.endpoint;
  process.env[ENV.table] = `bench-${Date.now()}`;
  process.env[ENV.testMode] = '1';
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  resetConfigForTests();
  resetDbForTests();
  resetMailForTests();
  const client = localClient(dynamo.endpoint);
  await ensureTables(client, [MAIN_TABLE], () => process.env[ENV.table] as string);
  client.destroy();
  return {
    stop: async () => {
      resetDbForTests();
      resetMailForTests();
      await ses.stop();
      await dynamo.stop();
    },
  };
}

/** Counts DynamoDB requests made through the shared document client. */
export function countRoundTrips(): { reset: () => void; count: () => number } {
  let n = 0;
  // One counter at a time: each bench section starts its own.
  db().middlewareStack.remove('benchRoundTripCounter');
  db().middlewareStack.add(
    (next) => async (args) => {
      n++;
      return next(args);
    },
    { step: 'initialize', name: 'benchRoundTripCounter' },
  );
  return { reset: () => (n = 0), count: () => n };
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

export const ms = (n: number) => n.toFixed(1);
