import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { addressesOf, cabinetsOf } from '#shared/accounts/store';
import { lazySchema } from '#shared/api/lazySchema';
import { db, tableName } from '#shared/clients/dynamo';
import { sendMail, surelyNotSent } from '#shared/clients/mail';
import { sendToQueue } from '#shared/clients/queue';
import { forEachConcurrently } from '#shared/concurrency';
import { FUNCTION_GROUPS } from '#shared/functions';
import { keys } from '#shared/keys';
import { logger } from '#shared/logger';
import { addressMatches } from '#shared/news/addresses';
import { newsMail } from '#shared/news/mails';
import { claimNewsMail, getNews, releaseNewsMail, setNewsSubscription } from '#shared/news/store';
import { type MailRun, newMailRun, SEND_CONCURRENCY } from '#shared/readings/mailRun';

/**
 * Each news item to its subscribers, fanned out like the window reminder: publishing queues one
 * message per subscription shard (NEWS_SHARDS) on the reading-mail queue, and each shard is mailed
 * by its own invocation, page by page (100 subscriptions, one BatchGet of their cabinets, and for
 * an item for some addresses one BatchGet of their addresses). No scan: only the subscribers'
 * sparse items are read. Each recipient is claimed (keys.newsMail) before the mail goes out, so a
 * redelivered message, a continuation or an operator's `news mail` again sends nobody an item twice.
 * A withdrawn item (`news withdraw`) is mailed to nobody more: the claim reads the withdrawal first.
 */

/** Stop claiming new recipients this long before the function's timeout. */
const SAFETY_MS = 60_000;

export const NewsShardMessage = /* @__PURE__ */ lazySchema(() =>
  z.object({
    type: z.literal('newsShard'),
    newsId: z.string().check(z.minLength(1)),
    /** The shard's partition, one of keys.newsSubscriberShards(). */
    shard: z.string().check(z.startsWith('NEWS_SUBSCRIBERS#')),
    /** Where a continued shard resumes: the last page's LastEvaluatedKey. */
    start: z.optional(z.record(z.string(), z.unknown())),
  }),
);
export type NewsShardMessage = z.infer<typeof NewsShardMessage>;

export function isNewsMessage(body: unknown): boolean {
  return typeof body === 'object' && body !== null && (body as { type?: unknown }).type === 'newsShard';
}

/** Queues an item's mailing: one message per subscription shard. */
export async function queueNewsMailing(newsId: string): Promise<number> {
  const messages: NewsShardMessage[] = keys
    .newsSubscriberShards()
    .map((shard) => ({ type: 'newsShard', newsId, shard }));
  await sendToQueue('readingMail', messages);
  return messages.length;
}

/**
 * Mails one shard's subscribers the item. Near the deadline it queues the rest of the shard as a new
 * message. A send SES surely refused gives its claim back and, after the shard's other mails, fails
 * the message so the queue redelivers it; a send whose answer was lost keeps its claim (the mail may
 * have gone out: better one missed than one twice).
 */
export async function mailNewsShard(message: NewsShardMessage, options: { deadline?: number } = {}): Promise<MailRun> {
  const deadline = options.deadline ?? Date.now() + FUNCTION_GROUPS.readingMail.timeoutSeconds * 1000 - SAFETY_MS;
  const run = newMailRun();
  const news = await getNews(message.newsId);
  if (!news) {
    // Nothing to mail; a message for an item that does not exist must not go round the queue.
    logger.warn('News mailing for an unknown item', { newsId: message.newsId });
    return run;
  }
  if (news.withdrawnAt) {
    logger.info('News mailing of a withdrawn item: nothing sent', { newsId: news.id });
    return run;
  }
  let withdrawn = false;
  let start = message.start;
  do {
    if (Date.now() > deadline) {
      run.unfinished = true;
      await sendToQueue('readingMail', [{ ...message, start }]);
      break;
    }
    const page = await db().send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': message.shard },
        Limit: 100,
        ExclusiveStartKey: start,
      }),
    );
    start = page.LastEvaluatedKey;
    const accounts = (page.Items ?? []).map((item) => String(item.account));
    if (accounts.length === 0) continue;
    const [cabinets, addresses] = await Promise.all([
      cabinetsOf(accounts),
      news.addressFilters.length > 0 ? addressesOf(accounts) : Promise.resolve(undefined),
    ]);
    await forEachConcurrently(accounts, SEND_CONCURRENCY, async (account) => {
      if (withdrawn) {
        run.skipped++;
        return;
      }
      const cabinet = cabinets.get(account);
      if (!cabinet?.newsByEmail || !cabinet.email) {
        // The cabinet is gone (ownership transfer, closing) or opted out: the subscription is stale.
        await setNewsSubscription(account, false);
        run.skipped++;
        return;
      }
      if (addresses && !addressMatches(addresses.get(account) ?? '', news.addressFilters)) {
        run.skipped++;
        return;
      }
      const claim = await claimNewsMail(news.id, account);
      if (claim !== 'claimed') {
        // Withdrawn by the operator: this worker and the others stop at their next recipient.
        if (claim === 'withdrawn') withdrawn = true;
        run.skipped++;
        return;
      }
      try {
        await sendMail({ ...newsMail(cabinet.email, news), stream: 'bulk' });
        run.sent++;
      } catch (error) {
        // The error's name only: an SES message may quote the address.
        logger.warn('News mail not sent', { error: (error as Error).name });
        if (surelyNotSent(error)) {
          run.failed++;
          await releaseNewsMail(news.id, account);
        } else {
          run.skipped++;
        }
      }
    });
  } while (start && !withdrawn);
  if (withdrawn) {
    // Nothing is left to mail, so neither a continuation nor a redelivery for the failed sends.
    logger.info('News mailing stopped: the item was withdrawn', { newsId: news.id, ...run });
    return run;
  }
  logger.info('News mailed to a shard', { newsId: news.id, ...run });
  if (run.failed > 0) {
    throw new Error(`Новость разослана не всем (отправлено ${run.sent}, ошибок ${run.failed}): повтор продолжит`);
  }
  return run;
}

export async function handleNewsMessage(body: unknown): Promise<void> {
  await mailNewsShard(NewsShardMessage.parse(body));
}
