import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  DynamoDBDocumentClient,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { config } from '#shared/config';
import { tracer } from '#shared/tracer';

let client: DynamoDBDocumentClient | undefined;

/**
 * The document client, created once per process. Locally it points at DynamoDB Local through
 * RAC_DYNAMODB_ENDPOINT with dummy credentials; in Lambda it uses the role's.
 */
export function db(): DynamoDBDocumentClient {
  if (!client) {
    const { dynamoEndpoint } = config();
    const base = new DynamoDBClient(
      dynamoEndpoint
        ? {
            endpoint: dynamoEndpoint,
            region: 'eu-central-1',
            credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
          }
        : {},
    );
    client = DynamoDBDocumentClient.from(tracer.captureAWSv3Client(base), {
      marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    });
  }
  return client;
}

export function tableName(): string {
  return config().table;
}

export function resetDbForTests(): void {
  client?.destroy();
  client = undefined;
}

/** Every item of a query, page by page (each access path is a key query; nothing scans). */
export async function queryAll<T = Record<string, unknown>>(
  input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>,
  limit = Number.POSITIVE_INFINITY,
): Promise<T[]> {
  const items: T[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db().send(new QueryCommand({ TableName: tableName(), ...input, ExclusiveStartKey: start }));
    items.push(...((page.Items ?? []) as T[]));
    start = page.LastEvaluatedKey;
  } while (start && items.length < limit);
  return items;
}

const BATCH_GET = 100;
const BATCH_GET_ATTEMPTS = 8;

/**
 * Many items by key: BatchGet in requests of 100 keys, unprocessed keys retried with jittered
 * backoff (DynamoDB returns them under load); a key that is still left after the retries fails the
 * call rather than silently dropping an item. Missing items are simply absent.
 */
export async function batchGetAll<T = Record<string, unknown>>(
  keyList: ReadonlyArray<Record<string, string>>,
  projection: { expression: string; names?: Record<string, string> },
): Promise<T[]> {
  const items: T[] = [];
  for (let i = 0; i < keyList.length; i += BATCH_GET) {
    let request: Record<string, unknown>[] | undefined = keyList.slice(i, i + BATCH_GET);
    for (let attempt = 0; request && request.length > 0; attempt++) {
      if (attempt >= BATCH_GET_ATTEMPTS) throw new Error('DynamoDB left keys unprocessed after retries');
      if (attempt > 0) await new Promise((r) => setTimeout(r, Math.random() * 50 * 2 ** attempt));
      const out: BatchGetCommandOutput = await db().send(
        new BatchGetCommand({
          RequestItems: {
            [tableName()]: {
              Keys: request,
              ProjectionExpression: projection.expression,
              ...(projection.names ? { ExpressionAttributeNames: projection.names } : {}),
            },
          },
        }),
      );
      items.push(...((out.Responses?.[tableName()] ?? []) as T[]));
      request = out.UnprocessedKeys?.[tableName()]?.Keys;
    }
  }
  return items;
}

/**
 * Adds a batch's counters to a run record in one atomic update (ADD per counter), and appends up
 * to 100 account numbers to a list attribute: how billing and ЕПД runs report their progress.
 */
export async function addRunCounters(
  key: { pk: string; sk: string },
  counters: Record<string, number | undefined>,
  list?: { attribute: string; values: readonly string[] },
): Promise<void> {
  const entries = Object.entries(counters).filter(([, v]) => v !== undefined && v !== 0);
  const listValues = list?.values ?? [];
  if (entries.length === 0 && listValues.length === 0) return;
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const adds = entries.map(([name, value], i) => {
    names[`#c${i}`] = name;
    values[`:c${i}`] = value;
    return `#c${i} :c${i}`;
  });
  let set = '';
  if (list && listValues.length > 0) {
    names['#list'] = list.attribute;
    values[':list'] = listValues.slice(0, 100);
    values[':none'] = [];
    set = ' SET #list = list_append(if_not_exists(#list, :none), :list)';
  }
  await db().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: key,
      UpdateExpression: `${adds.length ? `ADD ${adds.join(', ')}` : ''}${set}`.trim(),
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    }),
  );
}
