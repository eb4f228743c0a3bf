import { createHash, randomBytes } from 'node:crypto';
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { db, tableName } from '#shared/clients/dynamo';
import { DomainError } from '#shared/errors';
import { now } from '#shared/time';

/**
 * Single-use, expiring tokens for the links we mail (set a password, reset it, confirm an e-mail).
 * Only the SHA-256 of a token is stored: a leaked table holds no usable link.
 */
export type TokenPurpose = 'register' | 'reset' | 'email';

export const TOKEN_TTL_MINUTES: Record<TokenPurpose, number> = { register: 24 * 60, reset: 60, email: 24 * 60 };

export interface TokenRecord<D = Record<string, unknown>> {
  purpose: TokenPurpose;
  account: string;
  data: D;
  expiresAt: number;
}

const tokenKey = (hash: string) => ({ pk: `TOKEN#${hash}`, sk: 'TOKEN' });
const hashToken = (token: string) => createHash('sha256').update(token).digest('base64url');

export async function issueToken(
  purpose: TokenPurpose,
  account: string,
  data: Record<string, unknown>,
): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = Math.floor(now().getTime() / 1000) + TOKEN_TTL_MINUTES[purpose] * 60;
  await db().send(
    new PutCommand({
      TableName: tableName(),
      Item: { ...tokenKey(hashToken(token)), entity: 'token', purpose, account, data, expiresAt },
    }),
  );
  return token;
}

export const invalidToken = () => DomainError.of('invalid_token');

/** Reads a live token of the purpose without consuming it (so a weak password can be retried). */
export async function peekToken<D>(token: string, purpose: TokenPurpose): Promise<TokenRecord<D>> {
  const out = await db().send(
    new GetCommand({ TableName: tableName(), Key: tokenKey(hashToken(token)), ConsistentRead: true }),
  );
  const item = out.Item as (TokenRecord<D> & { entity: string }) | undefined;
  // DynamoDB's TTL deletes late (and never locally): expiry is checked here.
  if (!item || item.purpose !== purpose || item.expiresAt <= Math.floor(now().getTime() / 1000)) throw invalidToken();
  return item;
}

/** Key and condition that consume the token exactly once, for use inside a transaction. */
export function consumeTokenOperation(token: string) {
  return {
    Delete: {
      TableName: tableName(),
      Key: tokenKey(hashToken(token)),
      ConditionExpression: 'attribute_exists(pk) AND expiresAt > :now',
      ExpressionAttributeValues: { ':now': Math.floor(now().getTime() / 1000) },
    },
  };
}

export async function deleteToken(token: string): Promise<void> {
  await db().send(new DeleteCommand({ TableName: tableName(), Key: tokenKey(hashToken(token)) }));
}
