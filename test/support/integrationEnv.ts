import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, inject } from 'vitest';
import { ensureTables, localClient } from '#local/dynamo';
import { resetDbForTests } from '#shared/clients/dynamo';
import { resetMailForTests } from '#shared/clients/mail';
import { resetConfigForTests } from '#shared/config';
import { ENV } from '#shared/env';
import { MAIN_TABLE } from '#shared/tables';

/**
 * Each integration test file gets its own table in the run's DynamoDB Local, so files never see
 * each other's data. Connected tests refuse any endpoint that is not on this machine.
 */
const dynamoEndpoint = inject('dynamoEndpoint');
const sesEndpoint = inject('sesEndpoint');
if (!/^http:\/\/(127\.0\.0\.1|localhost):\d+$/.test(dynamoEndpoint)) {
  throw new Error(`Integration tests run only against a local DynamoDB, not ${dynamoEndpoint}`);
}

process.env[ENV.runtime] = 'local';
process.env[ENV.dynamoEndpoint] = dynamoEndpoint;
process.env[ENV.sesEndpoint] = sesEndpoint;
process.env[ENV.table] = `it-${randomUUID()}`;
process.env[ENV.testMode] = '1';
// Printed bills (shared/epd/files.ts) go to a folder of this file's own, not the developer's .data.
const dataDir = mkdtempSync(path.join(tmpdir(), 'rac-it-data-'));
process.env[ENV.dataDir] = dataDir;
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
resetConfigForTests();
resetDbForTests();
resetMailForTests();

beforeAll(async () => {
  const client = localClient(dynamoEndpoint);
  await ensureTables(client, [MAIN_TABLE], () => process.env[ENV.table] as string);
  client.destroy();
});

afterAll(() => {
  resetDbForTests();
  resetMailForTests();
  rmSync(dataDir, { recursive: true, force: true });
});
