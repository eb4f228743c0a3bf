import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { dropCabinetLinks, dropLinksTo } from '#shared/accounts/linksStore';
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
 * | account record  | keys.account (registry's)                 | get; ADD linkGeneration (link tokens)    |
 * | cabinet         | keys.cabinet                              | get, batch get, put by link, update, del |
 * | session         | keys.session                              | put, get, touch, delete; query by prefix |
 * | account links   | keys.accountLink, accountLinkedBy         | accounts/linksStore.ts (own module)      |
 * | link token      | keys.linkToken (SHA-256 of the token)     | put, get, delete with the cabinet write  |
 * | captcha         | keys.captcha                              | put, delete returning the old item       |
 * | SMS code        | keys.phoneCode, keys.loginChallenge       | put, ADD tries, delete (with the write)  |
 */

const nowSeconds = () => Math.floor(now().getTime() / 1000);

/** The registry's record of an account (owner, address, passport hash), or undefined. */
export async function getAccount(account: string, consistent = false): Promise<AccountRecord | undefined> {
  const out = await db().send(
    new GetCommand({ TableName: tableName(), Key: keys.account(account), ConsistentRead: consistent }),
  );
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
  /** A contact phone as typed, or the mobile number confirmed by SMS code (`+7…`, with `phoneConfirmedAt`). */
  phone?: string;
  /** When `phone` was confirmed by an SMS code (shared/accounts/phone.ts); absent: not confirmed. */
  phoneConfirmedAt?: string;
  /** After the password, a code by SMS to the confirmed phone (shared/accounts/loginCode.ts). */
  loginCodeBySms?: boolean;
  remindersOptIn: boolean;
  billByEmail: boolean;
  /** News by mail (shared/news); off unless the resident turns it on, absent on older cabinets. */
  newsByEmail?: boolean;
  consent: { version: string; acceptedAt: string };
  registeredAt: string;
  passwordChangedAt: string;
  /**
   * Random, set at registration: names this cabinet among the account's successive cabinets (a new
   * owner's is a new one), for its tickets and its undo links. Cabinets from before it have none.
   */
  cabinetId?: string;
}

/** The cabinet's identity: its id, or for cabinets from before ids its registration instant. */
export const cabinetIdOf = (cabinet: Pick<Cabinet, 'cabinetId' | 'registeredAt'>): string =>
  cabinet.cabinetId ?? cabinet.registeredAt;

export async function getCabinet(account: string, consistent = false): Promise<Cabinet | undefined> {
  const out = await db().send(
    new GetCommand({ TableName: tableName(), Key: keys.cabinet(account), ConsistentRead: consistent }),
  );
  return out.Item as Cabinet | undefined;
}

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/**
 * The account's link generation: every mailed link (registration, reset, e-mail change) carries the
 * generation it was issued in, and works only while the account is still in it. An ownership
 * transfer, a closed cabinet, a password change or reset and a confirmed or undone e-mail change
 * move it on, which ends every outstanding link of the account at once, with no list of tokens to
 * find. Kept on the registry's account record, which outlives the cabinet (a transfer deletes the
 * cabinet; the new owner's links must not meet the old owner's). Absent means 0.
 */
export async function linkGeneration(account: string): Promise<number> {
  const out = await db().send(
    new GetCommand({
      TableName: tableName(),
      Key: keys.account(account),
      ConsistentRead: true,
      ProjectionExpression: 'linkGeneration',
    }),
  );
  return Number(out.Item?.linkGeneration ?? 0);
}

/** The link generation an account's record (read consistently) is in. */
export const linkGenerationOf = (record: AccountRecord): number =>
  Number((record as { linkGeneration?: unknown }).linkGeneration ?? 0);

/** The condition "the account is still in link generation `generation`" (absent counts as 0). */
function inGeneration(generation: number): { expression: string; values: Record<string, unknown> } {
  return {
    expression:
      generation === 0
        ? '(attribute_not_exists(linkGeneration) OR linkGeneration = :generation)'
        : 'linkGeneration = :generation',
    values: { ':generation': generation },
  };
}

/**
 * The condition "the account still belongs to the passport that was checked, in the link generation
 * it was read in" (no ownership transfer since), as a transaction item: linking an account to
 * another cabinet (accounts/links.ts) writes only together with it.
 */
export function ownerUnchanged(account: string, passportHash: string, generation: number): TransactItem {
  const guard = inGeneration(generation);
  return {
    ConditionCheck: {
      TableName: tableName(),
      Key: keys.account(account),
      ConditionExpression: `passportHash = :hash AND ${guard.expression}`,
      ExpressionAttributeValues: { ':hash': passportHash, ...guard.values },
    },
  };
}

/** The condition "the account's cabinet is still `cabinet` (cabinetIdOf)", as a transaction item. */
export function cabinetUnchanged(account: string, cabinet: string): TransactItem {
  return {
    ConditionCheck: {
      TableName: tableName(),
      Key: keys.cabinet(account),
      ConditionExpression:
        'attribute_exists(pk) AND (cabinetId = :cabinet OR (attribute_not_exists(cabinetId) AND registeredAt = :cabinet))',
      ExpressionAttributeValues: { ':cabinet': cabinet },
    },
  };
}

/**
 * Moves the account to its next link generation, optionally only if it is still in `from` (the
 * link being used belongs to it). One transaction item: DynamoDB allows one action per item.
 */
function nextGeneration(account: string, from?: number): TransactItem {
  const guard = from === undefined ? undefined : inGeneration(from);
  return {
    Update: {
      TableName: tableName(),
      Key: keys.account(account),
      UpdateExpression: 'ADD linkGeneration :one',
      ConditionExpression: guard ? `attribute_exists(pk) AND ${guard.expression}` : 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':one': 1, ...guard?.values },
    },
  };
}

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
    // A spent, expired or superseded link says so first: only a live link learns more.
    if (error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed') throw DomainError.of('invalid_token');
    for (const [index, code] of Object.entries(rejected)) {
      if (reasons[Number(index)]?.Code === 'ConditionalCheckFailed') throw DomainError.of(code);
    }
    throw DomainError.of('invalid_token');
  }
}

/**
 * Creates the cabinet from the registration link, if the account still belongs to the person who
 * registered (same passport hash and link generation: no ownership change since) and has no
 * cabinet yet.
 */
export async function createCabinet(
  token: string,
  cabinet: Cabinet,
  passportHash: string,
  generation: number,
  also: readonly TransactItem[] = [],
): Promise<void> {
  const guard = inGeneration(generation);
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
          ConditionExpression: `passportHash = :hash AND ${guard.expression}`,
          ExpressionAttributeValues: { ':hash': passportHash, ...guard.values },
        },
      },
      // Reminders are on by default: the window reminder job finds the resident by this item.
      subscribeOperation(cabinet.account),
      // The first session, so the link's one transaction also logs the resident in.
      ...also,
    ],
    { 0: 'already_registered' },
  );
}

/**
 * Sets a new password from the recovery link of link generation `generation`; every other link of
 * the account (an older reset link, a pending e-mail change) ends with it.
 */
export async function resetCabinetPassword(
  token: string,
  account: string,
  passwordHash: string,
  generation: number,
): Promise<void> {
  await consumeTokenAnd(token, [
    {
      Update: {
        TableName: tableName(),
        Key: keys.cabinet(account),
        // The reset is the way back for a resident who lost the phone: it ends the login by SMS code.
        UpdateExpression: 'SET passwordHash = :hash, passwordChangedAt = :at REMOVE pendingEmail, loginCodeBySms',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':hash': passwordHash, ':at': now().toISOString() },
      },
    },
    nextGeneration(account, generation),
  ]);
}

/**
 * Makes the address confirmed by the e-mail link the cabinet's e-mail: only the address still
 * pending, and only in the link's generation. Links mailed to the old address end.
 */
export async function confirmCabinetEmail(
  token: string,
  account: string,
  email: string,
  generation: number,
): Promise<void> {
  await consumeTokenAnd(token, [
    {
      Update: {
        TableName: tableName(),
        Key: keys.cabinet(account),
        UpdateExpression: 'SET email = :email REMOVE pendingEmail',
        ConditionExpression: 'attribute_exists(pk) AND pendingEmail = :email',
        ExpressionAttributeValues: { ':email': email },
      },
    },
    nextGeneration(account, generation),
  ]);
}

/**
 * The undo link mailed to the old address: restores it and cancels a pending change, in the same
 * cabinet only (`cabinetIdOf`: a new owner's cabinet is a new one). Not bound to
 * the link generation, so whoever changed the address cannot void the undo by changing the
 * password; it moves the generation on, ending links mailed to the other address.
 */
export async function undoCabinetEmail(token: string, account: string, email: string, cabinet: string): Promise<void> {
  await consumeTokenAnd(token, [
    {
      Update: {
        TableName: tableName(),
        Key: keys.cabinet(account),
        UpdateExpression: 'SET email = :email REMOVE pendingEmail',
        ConditionExpression:
          'attribute_exists(pk) AND (cabinetId = :cabinet OR (attribute_not_exists(cabinetId) AND registeredAt = :cabinet))',
        ExpressionAttributeValues: { ':email': email, ':cabinet': cabinet },
      },
    },
    nextGeneration(account),
  ]);
}

/**
 * Replaces the password hash if it is still `oldHash`, and ends every outstanding link of the
 * account (next link generation) in the same transaction; false when a concurrent change won, so
 * this request's old password is no longer the current one.
 */
export async function replacePasswordHash(account: string, oldHash: string, newHash: string): Promise<boolean> {
  try {
    await db().send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: tableName(),
              Key: keys.cabinet(account),
              UpdateExpression: 'SET passwordHash = :hash, passwordChangedAt = :at REMOVE pendingEmail',
              ConditionExpression: 'passwordHash = :old',
              ExpressionAttributeValues: { ':hash': newHash, ':at': now().toISOString(), ':old': oldHash },
            },
          },
          nextGeneration(account),
        ],
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof TransactionCanceledException) return false;
    throw error;
  }
}

export interface CabinetSettings {
  /** An empty string removes the phone. */
  phone?: string | undefined;
  remindersOptIn?: boolean | undefined;
  billByEmail?: boolean | undefined;
  newsByEmail?: boolean | undefined;
  /** Only with a confirmed phone (409 `phone_not_confirmed` otherwise). */
  loginCodeBySms?: boolean | undefined;
}

/**
 * Updates the given settings of an existing cabinet; absent ones stay as they are. Returns the
 * cabinet as updated, or undefined when there is none (closed, transferred): one write, no read.
 */
export async function updateCabinetSettings(account: string, changes: CabinetSettings): Promise<Cabinet | undefined> {
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
  // A confirmed phone is a second factor: it changes only with the password (shared/accounts/phone.ts).
  const conditions = ['attribute_exists(pk)'];
  if (changes.phone !== undefined) {
    conditions.push('(attribute_not_exists(phoneConfirmedAt) OR phone = :samePhone)');
    values[':samePhone'] = changes.phone;
  }
  if (changes.loginCodeBySms === true) conditions.push('attribute_exists(phoneConfirmedAt)');
  for (const flag of ['remindersOptIn', 'billByEmail', 'newsByEmail', 'loginCodeBySms'] as const) {
    if (changes[flag] !== undefined) {
      set.push(`${flag} = :${flag}`);
      values[`:${flag}`] = changes[flag];
    }
  }
  try {
    const out = await db().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.cabinet(account),
        UpdateExpression: [
          set.length ? `SET ${set.join(', ')}` : '',
          remove.length ? `REMOVE ${remove.join(', ')}` : '',
        ]
          .join(' ')
          .trim(),
        ConditionExpression: conditions.join(' AND '),
        ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
        ReturnValues: 'ALL_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return out.Attributes as Cabinet;
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    // The document client leaves this item in DynamoDB's attribute-value form.
    const old = error.Item;
    if (!old) return undefined;
    if (changes.loginCodeBySms === true && !old.phoneConfirmedAt) throw DomainError.of('phone_not_confirmed');
    throw DomainError.of('phone_confirmed');
  }
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
 * Ownership transfer (переоформление ЛС) and closing the cabinet: the password and sessions end,
 * and so does every link mailed for the account (next link generation), in one transaction with
 * the cabinet's deletion. The account's history (readings, charges, payments) stays with the
 * account; the tickets stay stored for the centre, out of the next cabinet's list.
 */
export async function endCabinetAccess(account: string, options: { ownerChanged?: boolean } = {}): Promise<void> {
  await db().send(
    new TransactWriteCommand({
      TransactItems: [{ Delete: { TableName: tableName(), Key: keys.cabinet(account) } }, nextGeneration(account)],
    }),
  );
  // The cabinet's links to other accounts end with it (after its deletion: a link being made checks
  // the cabinet in its own transaction, so none can slip in). A new owner also takes the account
  // out of every other cabinet that linked it; closing leaves those: the owner has not changed.
  await dropCabinetLinks(account);
  if (options.ownerChanged) await dropLinksTo(account);
  await deleteSessions(account);
}

/** A session's record: its absolute end and when it was last used (epoch seconds). */
export interface SessionRecord {
  expiresAt: number;
  lastSeen: number;
  /** The account the session acts on when it is not the cabinet's own (accounts/links.ts); absent: its own. */
  current?: string | undefined;
}

/**
 * Stores a new session; `also`: writes that belong with it (a login clears its failed attempts),
 * then one TransactWriteItems carries them all in a single request.
 */
export async function putSession(
  account: string,
  sessionId: string,
  expiresAt: number,
  also: readonly TransactItem[] = [],
): Promise<void> {
  const put = sessionPut(account, sessionId, expiresAt);
  if (also.length === 0) await db().send(new PutCommand(put.Put));
  else await db().send(new TransactWriteCommand({ TransactItems: [put, ...also] }));
}

/** A new session's record as a transaction item, to be written with the write that opens it. */
export function sessionPut(account: string, sessionId: string, expiresAt: number) {
  return {
    Put: {
      TableName: tableName(),
      Item: {
        ...keys.session(account, sessionId),
        entity: 'session',
        createdAt: now().toISOString(),
        expiresAt,
        lastSeen: nowSeconds(),
      },
    },
  } satisfies TransactItem;
}

/** A session item as read (GetItem, BatchGet or a range query of the account's partition). */
export function sessionRecordOf(item: Record<string, unknown> | undefined): SessionRecord | undefined {
  if (!item) return undefined;
  const created = Math.floor(Date.parse(String(item.createdAt)) / 1000);
  return {
    expiresAt: Number(item.expiresAt),
    // Sessions opened before the idle timeout existed count from their opening.
    lastSeen: Number(item.lastSeen ?? created),
    ...(typeof item.current === 'string' ? { current: item.current } : {}),
  };
}

/** The session record, or undefined when it has ended. */
export async function getSession(account: string, sessionId: string): Promise<SessionRecord | undefined> {
  const out = await db().send(
    new GetCommand({ TableName: tableName(), Key: keys.session(account, sessionId), ConsistentRead: true }),
  );
  return sessionRecordOf(out.Item);
}

/** What a resident's page needs of the account besides the session: the registry's record and the cabinet. */
export interface ResidentItems {
  record?: AccountRecord | undefined;
  cabinet?: Cabinet | undefined;
}

/**
 * A few items by key in one strongly consistent BatchGetItem, by `pk`+`sk`. Keys DynamoDB leaves
 * unprocessed under load are asked for again (each a further request, rare).
 */
async function getConsistently(
  keyList: ReadonlyArray<{ pk: string; sk: string }>,
): Promise<Map<string, Record<string, unknown>>> {
  const found = new Map<string, Record<string, unknown>>();
  let request: Record<string, unknown>[] | undefined = [...keyList];
  for (let attempt = 0; request?.length; attempt++) {
    if (attempt >= 8) throw new Error('DynamoDB left keys unprocessed after retries');
    if (attempt > 0) await new Promise((r) => setTimeout(r, Math.random() * 50 * 2 ** attempt));
    const out: BatchGetCommandOutput = await db().send(
      new BatchGetCommand({ RequestItems: { [tableName()]: { Keys: request, ConsistentRead: true } } }),
    );
    for (const item of out.Responses?.[tableName()] ?? []) found.set(`${item.pk}\n${item.sk}`, item);
    request = out.UnprocessedKeys?.[tableName()]?.Keys;
  }
  return found;
}

const itemOf = (found: Map<string, Record<string, unknown>>, key: { pk: string; sk: string }) =>
  found.get(`${key.pk}\n${key.sk}`);

/**
 * The session record together with the account's record and cabinet, in one strongly consistent
 * BatchGetItem: the pages of the `residents` group (GET /api/me, /api/profile, /api/support) need
 * both, and reading them with the session check saves them a round trip each.
 */
export async function getSessionWithResident(
  account: string,
  sessionId: string,
): Promise<{ session: SessionRecord | undefined } & ResidentItems> {
  const found = await getConsistently([keys.session(account, sessionId), keys.account(account), keys.cabinet(account)]);
  return {
    session: sessionRecordOf(itemOf(found, keys.session(account, sessionId))),
    record: itemOf(found, keys.account(account)) as AccountRecord | undefined,
    cabinet: itemOf(found, keys.cabinet(account)) as Cabinet | undefined,
  };
}

/**
 * The account's record and cabinet in one consistent request (login, registration): the password
 * hash, the passport hash and the link generation (kept on the record) at once.
 */
export async function getResident(account: string): Promise<ResidentItems> {
  const found = await getConsistently([keys.account(account), keys.cabinet(account)]);
  return {
    record: itemOf(found, keys.account(account)) as AccountRecord | undefined,
    cabinet: itemOf(found, keys.cabinet(account)) as Cabinet | undefined,
  };
}

/**
 * Records that the session was used at `at`, unless it has ended meanwhile (logout, a password
 * change) or a parallel request already did: never recreates an ended session.
 */
export async function touchSession(account: string, sessionId: string, at: number): Promise<void> {
  await db()
    .send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.session(account, sessionId),
        UpdateExpression: 'SET lastSeen = :at',
        ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(lastSeen) OR lastSeen < :at)',
        ExpressionAttributeValues: { ':at': at },
      }),
    )
    .catch((error: unknown) => {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    });
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

/** Only the SHA-256 of a link token is stored: a leaked table holds no usable link. */
const linkTokenKey = (token: string) => keys.linkToken(createHash('sha256').update(token).digest('base64url'));

/**
 * Stores a link's token; `alsoUpdate`: a conditional update that belongs with it (registration gives
 * its limit's slot back), in the same request. When only that update's condition fails, the token
 * is stored alone: the update was a courtesy, the link is not.
 */
export async function putLinkToken(
  token: string,
  record: TokenRecord,
  alsoUpdate?: NonNullable<TransactItem['Update']>,
): Promise<void> {
  const put = { TableName: tableName(), Item: { ...linkTokenKey(token), entity: 'token', ...record } };
  if (alsoUpdate) {
    try {
      await db().send(new TransactWriteCommand({ TransactItems: [{ Put: put }, { Update: alsoUpdate }] }));
      return;
    } catch (error) {
      const reasons = error instanceof TransactionCanceledException ? (error.CancellationReasons ?? []) : [];
      if (reasons[0]?.Code !== 'None' || reasons[1]?.Code !== 'ConditionalCheckFailed') throw error;
    }
  }
  await db().send(new PutCommand(put));
}

export async function getLinkToken<D>(token: string): Promise<TokenRecord<D> | undefined> {
  const out = await db().send(
    new GetCommand({ TableName: tableName(), Key: linkTokenKey(token), ConsistentRead: true }),
  );
  return out.Item as TokenRecord<D> | undefined;
}

/** A captcha's own HMAC secrets (base64url) and its expiry (epoch seconds). */
export interface CaptchaRecord {
  signature: string;
  key: string;
  expiresAt: number;
}

export async function putCaptcha(id: string, record: CaptchaRecord): Promise<void> {
  await db().send(
    new PutCommand({ TableName: tableName(), Item: { ...keys.captcha(id), entity: 'captcha', ...record } }),
  );
}

/** Deletes a captcha and returns what it held: each captcha answers one request, right or wrong. */
export async function takeCaptcha(id: string): Promise<Partial<CaptchaRecord> | undefined> {
  const out = await db().send(
    new DeleteCommand({ TableName: tableName(), Key: keys.captcha(id), ReturnValues: 'ALL_OLD' }),
  );
  return out.Attributes as Partial<CaptchaRecord> | undefined;
}

/** What scheduled mail needs of a cabinet: where to write, and what the resident asked to receive. */
export type CabinetContact = Pick<Cabinet, 'account' | 'email' | 'remindersOptIn' | 'billByEmail' | 'newsByEmail'>;

/**
 * The cabinets of many accounts by key, in one BatchGet per 100: the reminder and ЕПД mail jobs
 * look up a page of recipients at once. Accounts without a cabinet are simply absent from the map.
 */
export async function cabinetsOf(accounts: readonly string[]): Promise<Map<string, CabinetContact>> {
  const items = await batchGetAll<CabinetContact>(accounts.map(keys.cabinet), {
    expression: '#account, email, remindersOptIn, billByEmail, newsByEmail',
    names: { '#account': 'account' },
  });
  return new Map(items.map((item) => [String(item.account), item]));
}

/** The registry's addresses of many accounts by key (news for some addresses); unknown ones are absent. */
export async function addressesOf(accounts: readonly string[]): Promise<Map<string, string>> {
  const items = await batchGetAll<{ account: string; address?: string }>(accounts.map(keys.account), {
    expression: '#account, #address',
    names: { '#account': 'account', '#address': 'address' },
  });
  return new Map(items.map((item) => [String(item.account), String(item.address ?? '')]));
}

/**
 * An SMS code waiting to be typed (phone confirmation, login), stored only as a keyed hash
 * (shared/accounts/phoneCodes.ts) with the tries used and its expiry (epoch seconds).
 */
export interface SmsCodeRecord {
  account: string;
  /** Where the code went (`+7…`): the phone a confirmation makes the cabinet's. */
  phone: string;
  codeHash: string;
  expiresAt: number;
  tries: number;
  /**
   * A login challenge's: the account's link generation when the password was checked. The code
   * opens a session only while the account is still in it (`credentialsUnchanged`), so a password
   * change or reset, a closed cabinet or an ownership transfer ends every pending challenge.
   * Absent on challenges stored before it existed (10 minutes at most): not checked.
   */
  generation?: number;
}

const challengeKey = (challenge: string) =>
  keys.loginChallenge(createHash('sha256').update(challenge).digest('base64url'));

/** Stores the code of a phone confirmation; a new one replaces the account's pending code. */
export async function putPhoneCode(record: SmsCodeRecord): Promise<void> {
  await db().send(
    new PutCommand({
      TableName: tableName(),
      Item: { ...keys.phoneCode(record.account), entity: 'smsCode', ...record },
    }),
  );
}

/**
 * Stores a login challenge, and `also` (the login guard's clearing) in the same request: the
 * password was right.
 */
export async function putLoginChallenge(
  challenge: string,
  record: SmsCodeRecord,
  also: readonly TransactItem[] = [],
): Promise<void> {
  const put = { TableName: tableName(), Item: { ...challengeKey(challenge), entity: 'loginChallenge', ...record } };
  if (also.length === 0) await db().send(new PutCommand(put));
  else await db().send(new TransactWriteCommand({ TransactItems: [{ Put: put }, ...also] }));
}

/**
 * Takes one try of a code before it is compared: one conditional update, so parallel guesses get
 * exactly `maxTries` comparisons between them. Undefined when there is no live code (none, used,
 * expired, tries spent).
 */
async function takeCodeTry(key: { pk: string; sk: string }, maxTries: number): Promise<SmsCodeRecord | undefined> {
  try {
    const out = await db().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: key,
        UpdateExpression: 'ADD tries :one',
        ConditionExpression: 'attribute_exists(pk) AND tries < :max AND expiresAt > :now',
        ExpressionAttributeValues: { ':one': 1, ':max': maxTries, ':now': nowSeconds() },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return out.Attributes as SmsCodeRecord;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return undefined;
    throw error;
  }
}

export const takePhoneCodeTry = (account: string, maxTries: number) => takeCodeTry(keys.phoneCode(account), maxTries);
export const takeLoginChallengeTry = (challenge: string, maxTries: number) =>
  takeCodeTry(challengeKey(challenge), maxTries);

/** The delete that uses a code up, only while it is the same code: for the transaction it allows. */
function consumeCode(key: { pk: string; sk: string }, codeHash: string): TransactItem {
  return {
    Delete: {
      TableName: tableName(),
      Key: key,
      ConditionExpression: 'codeHash = :codeHash',
      ExpressionAttributeValues: { ':codeHash': codeHash },
    },
  };
}

export const consumeLoginChallenge = (challenge: string, codeHash: string) =>
  consumeCode(challengeKey(challenge), codeHash);

/**
 * The condition "the account is still in link generation `generation`", as a transaction item:
 * the login's code step opens its session only with it. The generation is the account's
 * credentials version here: a password change or reset, closing the cabinet, an ownership transfer
 * (and a confirmed or undone e-mail change) move it on, in their own transactions.
 */
export function credentialsUnchanged(account: string, generation: number): TransactItem {
  const guard = inGeneration(generation);
  return {
    ConditionCheck: {
      TableName: tableName(),
      Key: keys.account(account),
      ConditionExpression: `attribute_exists(pk) AND ${guard.expression}`,
      ExpressionAttributeValues: guard.values,
    },
  };
}

/**
 * Removes the cabinet's phone (DELETE /api/profile/phone), confirmed or not, and with it the login
 * by SMS code, only while the password is still the one checked (`passwordHash`). Returns what was
 * removed; `'none'` when there was no phone (a repeated request), `'password_changed'` when a
 * concurrent change won, undefined when the cabinet has gone. One conditional write, then the
 * pending confirmation code (if any) is deleted: a code asked for before cannot bring a number back.
 */
export async function removeCabinetPhone(
  account: string,
  passwordHash: string,
): Promise<Pick<Cabinet, 'phone' | 'phoneConfirmedAt' | 'loginCodeBySms'> | 'none' | 'password_changed' | undefined> {
  try {
    const out = await db().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.cabinet(account),
        UpdateExpression: 'REMOVE phone, phoneConfirmedAt, loginCodeBySms',
        ConditionExpression: 'attribute_exists(phone) AND passwordHash = :hash',
        ExpressionAttributeValues: { ':hash': passwordHash },
        ReturnValues: 'ALL_OLD',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    await db().send(new DeleteCommand({ TableName: tableName(), Key: keys.phoneCode(account) }));
    const old = out.Attributes as Cabinet;
    return { phone: old.phone, phoneConfirmedAt: old.phoneConfirmedAt, loginCodeBySms: old.loginCodeBySms };
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    // The document client leaves this item in DynamoDB's attribute-value form.
    const old = error.Item;
    if (!old) return undefined;
    if (old.passwordHash?.S !== passwordHash) return 'password_changed';
    return 'none';
  }
}

/**
 * Makes the phone the code went to the cabinet's confirmed phone, using the code up in the same
 * transaction: a code confirms once. False when the code was used or replaced meanwhile.
 */
export async function confirmCabinetPhone(account: string, phone: string, codeHash: string): Promise<boolean> {
  try {
    await db().send(
      new TransactWriteCommand({
        TransactItems: [
          consumeCode(keys.phoneCode(account), codeHash),
          {
            Update: {
              TableName: tableName(),
              Key: keys.cabinet(account),
              UpdateExpression: 'SET phone = :phone, phoneConfirmedAt = :at',
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeValues: { ':phone': phone, ':at': now().toISOString() },
            },
          },
        ],
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof TransactionCanceledException) return false;
    throw error;
  }
}
