import { DescribeTableCommand, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { db, tableName } from '#shared/clients/dynamo';
import { config } from '#shared/config';
import { ENV } from '#shared/env';

/**
 * The CLI acts on the local runtime's DynamoDB and SES emulator unless told otherwise: the same
 * variables as `npm start` (`DYNAMODB_PORT`, `SES_PORT`) find them. With `RAC_RUNTIME=aws` and no endpoint the SDK's default
 * (the operator's AWS credentials and region) applies instead.
 */
export function useLocalStackByDefault(env: NodeJS.ProcessEnv = process.env): void {
  if (env[ENV.runtime] === 'aws') return;
  // Mail the CLI sends (news to subscribers, replies, notices) goes to the runtime's SES emulator.
  env[ENV.sesEndpoint] ||= `http://localhost:${env[ENV.sesPort] || 8005}`;
  env[ENV.dynamoEndpoint] ||= `http://localhost:${env[ENV.dynamoPort] || 8000}`;
  // Links in that mail point at the runtime's site, as `npm start` sets them (PORT).
  env[ENV.publicUrl] ||= `http://localhost:${env[ENV.port] || 3000}`;
}

/** Why the database cannot be used, in words for the operator; thrown before any work starts. */
export class DatabaseUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseUnavailable';
  }
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENOTFOUND', 'ETIMEDOUT', 'EAI_AGAIN']);

/** Whether an error (or what caused it) is a failure to reach the endpoint at all. */
export function isUnreachable(error: unknown): boolean {
  const seen = new Set<unknown>();
  const stack: unknown[] = [error];
  while (stack.length > 0) {
    const e = stack.pop();
    if (!e || typeof e !== 'object' || seen.has(e)) continue;
    seen.add(e);
    const { code, name, cause, errors } = e as { code?: unknown; name?: unknown; cause?: unknown; errors?: unknown };
    if ((typeof code === 'string' && NETWORK_CODES.has(code)) || name === 'TimeoutError') return true;
    stack.push(cause);
    if (Array.isArray(errors)) stack.push(...errors);
  }
  return false;
}

function where(): string {
  return config().dynamoEndpoint ?? 'DynamoDB (AWS)';
}

/** Checks that DynamoDB answers and the table exists, so a command fails before doing anything. */
export async function ensureDatabase(): Promise<void> {
  try {
    await db().send(new DescribeTableCommand({ TableName: tableName() }));
  } catch (error) {
    throw asDatabaseUnavailable(error) ?? error;
  }
}

/** The operator's message for a database that is down or not set up; undefined for other errors. */
export function asDatabaseUnavailable(error: unknown): DatabaseUnavailable | undefined {
  if (error instanceof DatabaseUnavailable) return error;
  const local = config().runtime === 'local';
  if (isUnreachable(error)) {
    return new DatabaseUnavailable(
      local ? `DynamoDB Local не отвечает на ${where()} — запустите npm start` : `${where()} не отвечает`,
    );
  }
  if (error instanceof ResourceNotFoundException) {
    return new DatabaseUnavailable(
      `В ${where()} нет таблицы ${tableName()}` +
        (local ? ' — запустите npm start: он создаёт таблицы' : ' — разверните стек (npx cdk deploy)'),
    );
  }
  return undefined;
}
