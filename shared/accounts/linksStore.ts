import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { TransactItem } from '#shared/accounts/store';
import { db, queryAll, tableName } from '#shared/clients/dynamo';
import { DomainError } from '#shared/errors';
import { keys } from '#shared/keys';
import { now } from '#shared/time';

/**
 * Several accounts under one login: the reads and writes of the links (keys.accountLink under the
 * cabinet's own account, keys.accountLinkedBy under the linked one) and of a session's current
 * account. A link and its reverse item are always written and deleted in one transaction, so an
 * ownership transfer that finds a cabinet through the reverse item always finds its link too.
 *
 * | Item            | Key (shared/keys.ts)                 | Access                                        |
 * |-----------------|--------------------------------------|-----------------------------------------------|
 * | link            | keys.accountLink (ACC#<home>)        | put with its reverse; query prefix; delete    |
 * | reverse link    | keys.accountLinkedBy (ACC#<acc>)     | put with the link; query prefix (transfer)    |
 * | session         | keys.session: attribute `current`    | set with a check of the link; remove          |
 */

export interface AccountLink {
  /** The cabinet's own account (where the cabinet and its sessions live). */
  home: string;
  /** The linked account. */
  account: string;
  /**
   * The linked account's address as the registry had it when linked: the list of accounts is then
   * one query (the ≤ 2 requests of a page, docs/round-trips.md). Addresses of flats do not change;
   * a new owner (transfer) removes the link anyway.
   */
  address: string;
  linkedAt: string;
}

/** The cabinet's linked accounts, oldest link first (strongly consistent: a link just made shows). */
export async function linksOf(home: string): Promise<AccountLink[]> {
  const items = await queryAll<Record<string, unknown>>({
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': keys.account(home).pk, ':prefix': keys.accountLinkPrefix },
    ConsistentRead: true,
  });
  return items
    .map((item) => ({
      home,
      account: String(item.account),
      address: String(item.address ?? ''),
      linkedAt: String(item.linkedAt),
    }))
    .sort((a, b) => a.linkedAt.localeCompare(b.linkedAt) || a.account.localeCompare(b.account));
}

/**
 * Writes a link and its reverse item, both only if absent (two parallel links of the same account
 * make one), together with `checks`: the account still belongs to the passport that was checked,
 * and the cabinet is still the one that asked. Cancelled: `already_linked` when the link exists,
 * `data_mismatch` when the account changed hands meanwhile, `unauthorized` when the cabinet ended.
 */
export async function putLink(
  home: string,
  account: string,
  address: string,
  checks: { owner: TransactItem; cabinet: TransactItem },
): Promise<AccountLink> {
  const link: AccountLink = { home, account, address, linkedAt: now().toISOString() };
  const absent = 'attribute_not_exists(pk)';
  try {
    await db().send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: tableName(),
              Item: { ...keys.accountLink(home, account), entity: 'accountLink', ...link },
              ConditionExpression: absent,
            },
          },
          {
            Put: {
              TableName: tableName(),
              Item: { ...keys.accountLinkedBy(account, home), entity: 'accountLinkedBy', ...link },
              ConditionExpression: absent,
            },
          },
          checks.owner,
          checks.cabinet,
        ],
      }),
    );
  } catch (error) {
    if (!(error instanceof TransactionCanceledException)) throw error;
    const failed = (i: number) => error.CancellationReasons?.[i]?.Code === 'ConditionalCheckFailed';
    if (failed(3)) throw DomainError.of('unauthorized');
    if (failed(2)) throw DomainError.of('data_mismatch');
    if (failed(0) || failed(1)) throw DomainError.of('already_linked');
    // DynamoDB cancels one of two transactions that write the same item at once: the other won.
    if (error.CancellationReasons?.some((r) => r.Code === 'TransactionConflict')) {
      throw DomainError.of('already_linked');
    }
    throw error;
  }
  return link;
}

/** Deletes a link with its reverse item; false when the cabinet has no such link. */
export async function deleteLink(home: string, account: string): Promise<boolean> {
  try {
    await db().send(new TransactWriteCommand({ TransactItems: linkDeletes(home, account, true) }));
    return true;
  } catch (error) {
    if (error instanceof TransactionCanceledException) {
      if (error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed') return false;
    }
    throw error;
  }
}

function linkDeletes(home: string, account: string, mustExist: boolean): TransactItem[] {
  return [
    {
      Delete: {
        TableName: tableName(),
        Key: keys.accountLink(home, account),
        ...(mustExist ? { ConditionExpression: 'attribute_exists(pk)' } : {}),
      },
    },
    { Delete: { TableName: tableName(), Key: keys.accountLinkedBy(account, home) } },
  ];
}

/**
 * Makes `account` the session's current account: the cabinet's own (`home`) removes it; another
 * one only while the cabinet's link to it exists, checked in the same transaction, so a switch
 * racing an unlink or a transfer either lands before it (and is then undone by it) or fails.
 */
export async function setSessionCurrent(home: string, sessionId: string, account: string): Promise<void> {
  const key = keys.session(home, sessionId);
  if (account === home) {
    try {
      await db().send(
        new UpdateCommand({
          TableName: tableName(),
          Key: key,
          UpdateExpression: 'REMOVE #current',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#current': 'current' },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw DomainError.of('unauthorized');
      throw error;
    }
    return;
  }
  try {
    await db().send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: tableName(),
              Key: key,
              UpdateExpression: 'SET #current = :account',
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeNames: { '#current': 'current' },
              ExpressionAttributeValues: { ':account': account },
            },
          },
          {
            ConditionCheck: {
              TableName: tableName(),
              Key: keys.accountLink(home, account),
              ConditionExpression: 'attribute_exists(pk)',
            },
          },
        ],
      }),
    );
  } catch (error) {
    if (!(error instanceof TransactionCanceledException)) throw error;
    const reasons = error.CancellationReasons ?? [];
    if (reasons[0]?.Code === 'ConditionalCheckFailed') throw DomainError.of('unauthorized');
    if (reasons[1]?.Code === 'ConditionalCheckFailed') throw DomainError.of('account_not_linked');
    throw error;
  }
}

/**
 * The cabinet's sessions whose current account is `account` go back to the cabinet's own account
 * (after an unlink or a transfer of `account`). One query of the cabinet's few sessions; each
 * update only if the session still points there.
 */
export async function fallBackSessions(home: string, account: string): Promise<number> {
  const sessions = await queryAll<{ pk: string; sk: string; current?: string }>({
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': keys.account(home).pk, ':prefix': keys.sessionPrefix },
    ExpressionAttributeNames: { '#current': 'current' },
    ProjectionExpression: 'pk, sk, #current',
    ConsistentRead: true,
  });
  let moved = 0;
  for (const session of sessions.filter((s) => s.current === account)) {
    try {
      await db().send(
        new UpdateCommand({
          TableName: tableName(),
          Key: { pk: session.pk, sk: session.sk },
          UpdateExpression: 'REMOVE #current',
          ConditionExpression: '#current = :account',
          ExpressionAttributeNames: { '#current': 'current' },
          ExpressionAttributeValues: { ':account': account },
        }),
      );
      moved++;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
  return moved;
}

async function deletePairs(pairs: ReadonlyArray<{ home: string; account: string }>): Promise<void> {
  // 50 pairs (100 items) is the most one transaction takes; each pair stays whole in one.
  for (let i = 0; i < pairs.length; i += 50) {
    const items = pairs.slice(i, i + 50).flatMap((p) => linkDeletes(p.home, p.account, false));
    await db().send(new TransactWriteCommand({ TransactItems: items }));
  }
}

/**
 * A cabinet ends (ownership transfer of its own account, closing): its links end with it, so a
 * later cabinet of the account (a new owner, a new registration) never inherits them. Its
 * sessions are deleted by the caller.
 */
export async function dropCabinetLinks(home: string): Promise<number> {
  const links = await linksOf(home);
  await deletePairs(links);
  return links.length;
}

/**
 * An account changed hands (ownership transfer): every cabinet that linked it loses it, and their
 * sessions acting on it go back to their own account. One query of the account's reverse items.
 */
export async function dropLinksTo(account: string): Promise<string[]> {
  const items = await queryAll<{ home?: string }>({
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': keys.account(account).pk, ':prefix': keys.accountLinkedByPrefix },
    ExpressionAttributeNames: { '#home': 'home' },
    ProjectionExpression: '#home',
    ConsistentRead: true,
  });
  const homes = items.map((i) => String(i.home));
  await deletePairs(homes.map((home) => ({ home, account })));
  for (const home of homes) await fallBackSessions(home, account);
  return homes;
}
