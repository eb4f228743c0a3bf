import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { TokenRecord } from '#shared/accounts/tokens';
import { batchGetAll, db, queryAll, tableName } from '#shared/clients/dynamo';
import { DomainError, type ErrorCode } from '#shared/errors';
import { keys } from '#shared/keys';
import { subscribeOperation } from '#shared/readings/reminderSubscription';
import type { AccountRecord } from '#shared/registry/repository';
import { now } from '#shared/time';

/**
 * The accounts capability's reads and writes; the use cases (registration, login, recovery,
 * profile, e-mail change) call these and never build a command. Every access is by key:
 *
 * | Item            | Key (shared/keys.ts)                      | Access                                   |
 * |-----------------|-------------------------------------------|------------------------------------------|
 * | account record  | keys.account (registry's, read only here) | get                                      |
 * | cabinet         | keys.cabinet                              | get, batch get, put by link, update, del |
 * | session         | keys.session                              | put, get, delete; query by sessionPrefix |
 * | login guard     | keys.loginGuard                           | get, atomic ADD, conditional delete      |
 * | link token      | keys.linkToken (SHA-256 of the token)     | put, get, delete with the cabinet write  |
 * | captcha         | keys.captcha                              | put, delete returning the old item       |
 */

const nowSeconds = () => Math.floor(now().getTime() / 1000);

/** The registry's record of an account (owner, address, passport hash), or undefined. */
export async function getAccount(account: string): Promise<AccountRecord | undefined> {
  const out = await db().send(new GetCommand({ TableName: tableName(), Key: keys.account(account) }));
  return out.Item as AccountRecord | undefined;
}

/**
 * The resident's cabinet: exists once the resident has registered and set a password. Stored under
 * `sk CREDENTIALS` with `entity: 'credentials'`, names kept so existing items still read.
 */
export interface Cabinet {
  account: string;
  passwordHash: string;
  email: string;
  pendingEmail?: string;
  phone?: string;
  remindersOptIn: boolean;
  billByEmail: boolean;
  consent: { version: string; acceptedAt: string };
  registeredAt: string;
  passwordChangedAt: string;
}

export async function getCabinet(account: string, consistent = false): Promise<Cabinet | undefined> {
  const out = await db().send(
    new GetCommand({ TableName: tableName(), Key: keys.cabinet(account), ConsistentRead: consistent }),
  );
  return out.Item as Cabinet | undefined;
}

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/**
 * Consumes a mailed link's token and writes the cabinet in one transaction: the link works exactly
 * once, and only together with its write. A cancelled transaction answers `invalid_token`, unless
 * `rejected` names another error for the write (by index in `writes`) whose condition failed.
 */
async function consumeTokenAnd(
  token: string,
  writes: TransactItem[],
  rejected: Record<number, ErrorCode> = {},
): Promise<void> {
  try {
    await db().send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Delete: {
              TableName: tableName(),
              Key: linkTokenKey(token),
              ConditionExpression: 'attribute_exists(pk) AND expiresAt > :now',
              ExpressionAttributeValues: { ':now': nowSeconds() },
            },
          },
          ...writes,
        ],
      }),
    );
  } catch (error) {
    if (!(error instanceof TransactionCanceledException)) throw error;
    const reasons = error.CancellationReasons?.slice(1) ?? [];
    for (const [index, code] of Object.entries(rejected)) {
      if (reasons[Number(index)]?.Code === 'ConditionalCheckFailed') throw DomainError.of(code);
    }
    throw DomainError.of('invalid_token');
  }
}

/**
 * Creates the cabinet from the registration link, if the account still belongs to the person who
 * registered (same passport hash: no ownership change since) and has no cabinet yet.
 */
export async function createCabinet(token: string, cabinet: Cabinet, passportHash: string): Promise<void> {
  await consumeTokenAnd(
    token,
    [
      {
        Put: {
          TableName: tableName(),
          Item: { ...keys.cabinet(cabinet.account), entity: 'credentials', ...cabinet },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      {
        ConditionCheck: {
          TableName: tableName(),
          Key: keys.account(cabinet.account),
          ConditionExpression: 'passportHash = :hash',
          ExpressionAttributeValues: { ':hash': passportHash },
        },
      },
      // Reminders are on by default: the window reminder job finds the resident by this item.
      subscribeOperation(cabinet.account),
    ],
    { 0: 'already_registered' },
  );
}

/** Sets a new password from the recovery link. */
export async function resetCabinetPassword(token: string, account: string, passwordHash: string): Promise<void> {
  await consumeTokenAnd(token, [
    {
      Update: {
        TableName: tableName(),
        Key: keys.cabinet(account),
        UpdateExpression: 'SET passwordHash = :hash, passwordChangedAt = :at',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':hash': passwordHash, ':at': now().toISOString() },
      },
    },
  ]);
}

/** Makes the address confirmed by the e-mail link the cabinet's e-mail. */
export async function confirmCabinetEmail(token: string, account: string, email: string): Promise<void> {
  await consumeTokenAnd(token, [
    {
      Update: {
        TableName: tableName(),
        Key: keys.cabinet(account),
        UpdateExpression: 'SET email = :email REMOVE pendingEmail',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':email': email },
      },
    },
  ]);
}

/**
 * Replaces the password hash if it is still `oldHash`; false when a concurrent change won, so this
 * request's old password is no longer the current one.
 */
export async function replacePasswordHash(account: string, oldHash: string, newHash: string): Promise<boolean> {
  try {
    await db().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.cabinet(account),
        UpdateExpression: 'SET passwordHash = :hash, passwordChangedAt = :at',
        ConditionExpression: 'passwordHash = :old',
        ExpressionAttributeValues: { ':hash': newHash, ':at': now().toISOString(), ':old': oldHash },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

export interface CabinetSettings {
  /** An empty string removes the phone. */
  phone?: string | undefined;
  remindersOptIn?: boolean | undefined;
  billByEmail?: boolean | undefined;
}

/** Updates the given settings of an existing cabinet; absent ones stay as they are. */
export async function updateCabinetSettings(account: string, changes: CabinetSettings): Promise<void> {
  const set: string[] = [];
  const remove: string[] = [];
  const values: Record<string, unknown> = {};
  if (changes.phone !== undefined) {
    if (changes.phone === '') remove.push('phone');
    else {
      set.push('phone = :phone');
      values[':phone'] = changes.phone;
    }
  }
  for (const flag of ['remindersOptIn', 'billByEmail'] as const) {
    if (changes[flag] !== undefined) {
      set.push(`${flag} = :${flag}`);
      values[`:${flag}`] = changes[flag];
    }
  }
  await db().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: keys.cabinet(account),
      UpdateExpression: [set.length ? `SET ${set.join(', ')}` : '', remove.length ? `REMOVE ${remove.join(', ')}` : '']
        .join(' ')
        .trim(),
      ConditionExpression: 'attribute_exists(pk)',
      ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
    }),
  );
}

/** Records the address an e-mail change waits to confirm; until then the old one stays. */
export async function setPendingEmail(account: string, email: string): Promise<void> {
  await db().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: keys.cabinet(account),
      UpdateExpression: 'SET pendingEmail = :email',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':email': email },
    }),
  );
}

/**
 * Ownership transfer (переоформление ЛС): the previous owner's password and sessions end; the
 * account's history (readings, charges, payments) stays with the account for the new owner.
 */
export async function endCabinetAccess(account: string): Promise<void> {
  await db().send(new DeleteCommand({ TableName: tableName(), Key: keys.cabinet(account) }));
  await deleteSessions(account);
}

export async function putSession(account: string, sessionId: string, expiresAt: number): Promise<void> {
  await db().send(
    new PutCommand({
      TableName: tableName(),
      Item: { ...keys.session(account, sessionId), entity: 'session', createdAt: now().toISOString(), expiresAt },
    }),
  );
}

/** The session record's expiry (epoch seconds), or undefined when it has ended. */
export async function sessionExpiry(account: string, sessionId: string): Promise<number | undefined> {
  const out = await db().send(
    new GetCommand({ TableName: tableName(), Key: keys.session(account, sessionId), ConsistentRead: true }),
  );
  return out.Item?.expiresAt as number | undefined;
}

export async function deleteSession(account: string, sessionId: string): Promise<void> {
  await db().send(new DeleteCommand({ TableName: tableName(), Key: keys.session(account, sessionId) }));
}

/** Deletes every session of an account but `keep`; returns how many ended. */
export async function deleteSessions(account: string, keep?: string): Promise<number> {
  const sessions = await queryAll<{ pk: string; sk: string }>({
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': keys.account(account).pk, ':prefix': keys.sessionPrefix },
    ProjectionExpression: 'pk, sk',
  });
  const kept = keep === undefined ? undefined : keys.session(account, keep).sk;
  const doomed = sessions.filter((i) => i.sk !== kept);
  for (let i = 0; i < doomed.length; i += 25) {
    let requests = doomed.slice(i, i + 25).map(({ pk, sk }) => ({ DeleteRequest: { Key: { pk, sk } } }));
    while (requests.length) {
      const out = await db().send(new BatchWriteCommand({ RequestItems: { [tableName()]: requests } }));
      requests = (out.UnprocessedItems?.[tableName()] ?? []) as typeof requests;
    }
  }
  return doomed.length;
}

/** Failed logins of an account: a counting window (epoch seconds) and, after many, a lock. */
export interface LoginGuardRecord {
  failures: number;
  windowStart: number;
  lockedUntil?: number;
}

export async function getLoginGuard(account: string): Promise<LoginGuardRecord | undefined> {
  const out = await db().send(
    new GetCommand({ TableName: tableName(), Key: keys.loginGuard(account), ConsistentRead: true }),
  );
  return out.Item as LoginGuardRecord | undefined;
}

/** Deletes the guard; with `windowStart`, only if no parallel request has restarted it since. */
export async function deleteLoginGuard(account: string, windowStart?: number): Promise<void> {
  await db()
    .send(
      new DeleteCommand({
        TableName: tableName(),
        Key: keys.loginGuard(account),
        ...(windowStart === undefined
          ? {}
          : { ConditionExpression: 'windowStart = :old', ExpressionAttributeValues: { ':old': windowStart } }),
      }),
    )
    .catch((error: unknown) => {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    });
}

/** Counts a failure atomically (ADD), so parallel guesses cannot slip under the limits; returns the count. */
export async function addLoginFailure(account: string, nowSec: number): Promise<number> {
  const out = await db().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: keys.loginGuard(account),
      UpdateExpression: 'SET windowStart = if_not_exists(windowStart, :now), expiresAt = :expires ADD failures :one',
      ExpressionAttributeValues: { ':one': 1, ':now': nowSec, ':expires': nowSec + 24 * 3600 },
      ReturnValues: 'ALL_NEW',
    }),
  );
  return Number(out.Attributes?.failures ?? 0);
}

/** Locks logins until `lockedUntil` and restarts the count at `failures` from `windowStart`. */
export async function lockLogin(account: string, lock: Required<LoginGuardRecord>): Promise<void> {
  await db().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: keys.loginGuard(account),
      UpdateExpression: 'SET lockedUntil = :until, failures = :captcha, windowStart = :now',
      ExpressionAttributeValues: { ':until': lock.lockedUntil, ':captcha': lock.failures, ':now': lock.windowStart },
    }),
  );
}

/** Only the SHA-256 of a link token is stored: a leaked table holds no usable link. */
const linkTokenKey = (token: string) => keys.linkToken(createHash('sha256').update(token).digest('base64url'));

export async function putLinkToken(token: string, record: TokenRecord): Promise<void> {
  await db().send(
    new PutCommand({ TableName: tableName(), Item: { ...linkTokenKey(token), entity: 'token', ...record } }),
  );
}

export async function getLinkToken<D>(token: string): Promise<TokenRecord<D> | undefined> {
  const out = await db().send(
    new GetCommand({ TableName: tableName(), Key: linkTokenKey(token), ConsistentRead: true }),
  );
  return out.Item as TokenRecord<D> | undefined;
}

export async function putCaptcha(id: string, answerHash: string, expiresAt: number): Promise<void> {
  await db().send(
    new PutCommand({ TableName: tableName(), Item: { ...keys.captcha(id), entity: 'captcha', answerHash, expiresAt } }),
  );
}

/** Deletes a captcha and returns what it held: each captcha answers one request, right or wrong. */
export async function takeCaptcha(id: string): Promise<{ answerHash?: string; expiresAt?: number } | undefined> {
  const out = await db().send(
    new DeleteCommand({ TableName: tableName(), Key: keys.captcha(id), ReturnValues: 'ALL_OLD' }),
  );
  return out.Attributes as { answerHash?: string; expiresAt?: number } | undefined;
}

/** What scheduled mail needs of a cabinet: where to write, and what the resident asked to receive. */
export type CabinetContact = Pick<Cabinet, 'account' | 'email' | 'remindersOptIn' | 'billByEmail'>;

/**
 * The cabinets of many accounts by key, in one BatchGet per 100: the reminder and ЕПД mail jobs
 * look up a page of recipients at once. Accounts without a cabinet are simply absent from the map.
 */
export async function cabinetsOf(accounts: readonly string[]): Promise<Map<string, CabinetContact>> {
  const items = await batchGetAll<CabinetContact>(accounts.map(keys.cabinet), {
    expression: '#account, email, remindersOptIn, billByEmail',
    names: { '#account': 'account' },
  });
  return new Map(items.map((item) => [String(item.account), item]));
}
