import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { db, tableName } from '#shared/clients/dynamo';
import { keys } from '#shared/keys';
import type { NewsFormat } from '#shared/news/render';
import { now } from '#shared/time';

/**
 * The news capability's reads and writes, every one by key (shared/keys.ts):
 *
 * | Item             | Key                     | Access                                                 |
 * |------------------|-------------------------|--------------------------------------------------------|
 * | news item        | keys.news               | put once (conditional), get; newest page, cached 30 s  |
 * | subscription     | keys.newsSubscription   | put / delete with the profile's `newsByEmail`          |
 * | mail claim       | keys.newsMail           | conditional put before the mail, delete on a failure   |
 * | withdrawal mark  | keys.newsWithdrawal     | put with the item's `withdrawnAt`; read before a claim |
 */

export interface StoredNews {
  id: string;
  title: string;
  publishedAt: string;
  /** The source as the operator wrote it. */
  text: string;
  format: NewsFormat;
  /** Rendered once at publication (shared/news/render.ts). */
  html: string;
  /** The operator's address filters as written; empty: the item is for everyone. */
  addresses: string[];
  /** The same filters normalised (shared/news/addresses.ts), what matching compares. */
  addressFilters: string[];
  /** Set by `news withdraw`: no longer listed, no longer mailed. */
  withdrawnAt?: string;
}

/** How many of the newest items the list reads: a year of a busy centre's news. */
export const NEWS_PAGE = 100;
const NEWS_CACHE_MS = 30_000;
/** How long a withdrawn item may still be listed by a container that read the list before. */
export const NEWS_CACHE_SECONDS = NEWS_CACHE_MS / 1000;
/** A mail claim outlives any redelivery of its message by far, then expires (TTL). */
const CLAIM_TTL_SECONDS = 400 * 24 * 60 * 60;

let cache: { items: StoredNews[]; readAt: number } | undefined;

/** Stores a new item; an id is never reused (the condition keeps a second write out). */
export async function putNews(item: StoredNews): Promise<void> {
  await db().send(
    new PutCommand({
      TableName: tableName(),
      Item: { ...keys.news(item.id), entity: 'news', ...item },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
  cache = undefined;
}

export async function getNews(id: string): Promise<StoredNews | undefined> {
  const out = await db().send(new GetCommand({ TableName: tableName(), Key: keys.news(id), ConsistentRead: true }));
  return out.Item ? toNews(out.Item) : undefined;
}

/**
 * The newest items, newest first. Every page view of the site reads them, so a container reads
 * the partition at most every 30 seconds: an item published elsewhere (the CLI) shows within that.
 */
export async function latestNews(): Promise<StoredNews[]> {
  if (!cache || Date.now() - cache.readAt >= NEWS_CACHE_MS) {
    const out = await db().send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.newsPartition },
        ScanIndexForward: false,
        Limit: NEWS_PAGE,
      }),
    );
    cache = { items: (out.Items ?? []).map(toNews), readAt: Date.now() };
  }
  return cache.items;
}

export function forgetCachedNews(): void {
  cache = undefined;
}

function toNews(item: Record<string, unknown>): StoredNews {
  return {
    id: String(item.id),
    title: String(item.title),
    publishedAt: String(item.publishedAt),
    text: String(item.text),
    format: item.format === 'markdown' ? 'markdown' : 'text',
    html: String(item.html),
    addresses: Array.isArray(item.addresses) ? item.addresses.map(String) : [],
    addressFilters: Array.isArray(item.addressFilters) ? item.addressFilters.map(String) : [],
    ...(typeof item.withdrawnAt === 'string' ? { withdrawnAt: item.withdrawnAt } : {}),
  };
}

/**
 * Withdraws an item: its `withdrawnAt` and the small withdrawal mark that the mailing reads before
 * each recipient, in one transaction. `withdrawn`: done now; `already`: withdrawn before (the time
 * stays the first one); `missing`: no such item.
 */
export async function withdrawNews(id: string): Promise<{ outcome: 'withdrawn' | 'already' | 'missing'; at?: string }> {
  const at = now().toISOString();
  try {
    await db().send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: tableName(),
              Key: keys.news(id),
              UpdateExpression: 'SET withdrawnAt = :at',
              ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(withdrawnAt)',
              ExpressionAttributeValues: { ':at': at },
            },
          },
          {
            Put: {
              TableName: tableName(),
              Item: { ...keys.newsWithdrawal(id), entity: 'newsWithdrawal', newsId: id, at },
            },
          },
        ],
      }),
    );
  } catch (error) {
    if (!(error instanceof TransactionCanceledException)) throw error;
    if (error.CancellationReasons?.[0]?.Code !== 'ConditionalCheckFailed') throw error;
    const news = await getNews(id);
    return news
      ? { outcome: 'already', ...(news.withdrawnAt ? { at: news.withdrawnAt } : {}) }
      : { outcome: 'missing' };
  } finally {
    cache = undefined;
  }
  return { outcome: 'withdrawn', at };
}

/** Whether an item was withdrawn: a strongly consistent read of its small mark. */
export async function newsWithdrawn(id: string): Promise<boolean> {
  const out = await db().send(
    new GetCommand({ TableName: tableName(), Key: keys.newsWithdrawal(id), ConsistentRead: true }),
  );
  return out.Item !== undefined;
}

/**
 * The sparse subscription item that the mailing reads per shard. The cabinet's `newsByEmail` stays
 * the truth: the mailing reads it back and drops a subscription whose cabinet is gone or opted out.
 */
export async function setNewsSubscription(account: string, on: boolean): Promise<void> {
  await db().send(
    on
      ? new UpdateCommand({
          TableName: tableName(),
          Key: keys.newsSubscription(account),
          UpdateExpression: 'SET entity = :entity, account = :account',
          ExpressionAttributeValues: { ':entity': 'newsSubscription', ':account': account },
        })
      : new DeleteCommand({ TableName: tableName(), Key: keys.newsSubscription(account) }),
  );
}

/**
 * Claims the mail of one item to one account: `taken` when a delivery before this one did,
 * `withdrawn` when the operator withdrew the item (checked right before the claim, so a mailing in
 * progress stops at its next recipient; mails already handed to SES still arrive).
 */
export async function claimNewsMail(newsId: string, account: string): Promise<'claimed' | 'taken' | 'withdrawn'> {
  // Not one transaction with the claim: every concurrent claim would lock the same mark and
  // conflict with the others. A withdrawal between this read and the claim lets that one mail go.
  if (await newsWithdrawn(newsId)) return 'withdrawn';
  try {
    await db().send(
      new PutCommand({
        TableName: tableName(),
        Item: {
          ...keys.newsMail(newsId, account),
          entity: 'newsMail',
          at: now().toISOString(),
          expiresAt: Math.floor(now().getTime() / 1000) + CLAIM_TTL_SECONDS,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return 'claimed';
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return 'taken';
    throw error;
  }
}

/** Gives a claim back after a send that surely failed, so the redelivery mails it. */
export async function releaseNewsMail(newsId: string, account: string): Promise<void> {
  await db().send(new DeleteCommand({ TableName: tableName(), Key: keys.newsMail(newsId, account) }));
}

/** How many subscribers an item was mailed to (its claims), for the operator's report. */
export async function mailedCount(newsId: string): Promise<number> {
  let count = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const out = await db().send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.newsMailsOf(newsId) },
        Select: 'COUNT',
        ExclusiveStartKey: start,
      }),
    );
    count += out.Count ?? 0;
    start = out.LastEvaluatedKey;
  } while (start);
  return count;
}
