import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { cabinetsOf } from '#shared/accounts/store';
import { lazySchema } from '#shared/api/lazySchema';
import { db, tableName } from '#shared/clients/dynamo';
import { sendToQueue } from '#shared/clients/queue';
import { forEachConcurrently } from '#shared/concurrency';
import { FUNCTION_GROUPS } from '#shared/functions';
import { keys } from '#shared/keys';
import { logger } from '#shared/logger';
import { type MailRun, newMailRun, SEND_CONCURRENCY, sendClaimed, updateIf } from '#shared/readings/mailRun';
import { reminderMail } from '#shared/readings/mails';
import { submissionPeriod } from '#shared/readings/period';
import { setReminderSubscription } from '#shared/readings/reminderSubscription';
import { PERIOD_RE } from '#shared/time';
import { currentWindow } from '#shared/window/windowStore';

/**
 * The window reminder, to every registered resident with reminders on, once per window. The
 * scheduled job (on the opening day, see shared/schedules.ts) only checks the window and queues
 * one message per subscription shard (REMINDER_SHARDS) on the reading-mail queue; each shard is
 * mailed by its own invocation, page by page (100 subscriptions and one BatchGet of their
 * cabinets per page), so a city's reminders are spread over Lambdas instead of riding on one
 * 15-minute run. SES's send rate is the real limit: a shard that nears its Lambda's timeout
 * queues the rest of itself as a new message.
 */

/** Stop claiming new recipients this long before the function's timeout. */
const SAFETY_MS = 60_000;

/** The reading-mail queue's message: one shard of subscriptions, from a page on. */
export const ReminderShardMessage = /* @__PURE__ */ lazySchema(() =>
  z.object({
    type: z.literal('remindShard'),
    /** The shard's partition, one of keys.reminderShards(). */
    shard: z.string().check(z.minLength(1)),
    period: z.string().check(z.regex(PERIOD_RE)),
    closesAt: z.iso.datetime(),
    /** Where a continued shard resumes: the last page's LastEvaluatedKey. */
    start: z.optional(z.record(z.string(), z.unknown())),
  }),
);
export type ReminderShardMessage = z.infer<typeof ReminderShardMessage>;

/** Claims a subscription for the period; false when someone (an earlier run) already did. */
const claimReminder = (account: string, period: string) =>
  updateIf({
    Key: keys.reminderSubscription(account),
    UpdateExpression: 'SET remindedFor = :period',
    ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(remindedFor) OR remindedFor <> :period)',
    ExpressionAttributeValues: { ':period': period },
  });

const releaseReminder = (account: string, period: string) =>
  updateIf({
    Key: keys.reminderSubscription(account),
    UpdateExpression: 'REMOVE remindedFor',
    ConditionExpression: 'remindedFor = :period',
    ExpressionAttributeValues: { ':period': period },
  });

/** The scheduled job: when the window is open, one message per subscription shard. */
export async function startWindowReminders(): Promise<{ period?: string; shards: number }> {
  const window = await currentWindow();
  if (!window.open) {
    logger.info('Reading window closed: no reminders');
    return { shards: 0 };
  }
  const period = submissionPeriod(window);
  const messages: ReminderShardMessage[] = keys
    .reminderShards()
    .map((shard) => ({ type: 'remindShard', shard, period, closesAt: window.closesAt }));
  await sendToQueue('readingMail', messages);
  logger.info('Window reminders queued', { period, shards: messages.length });
  return { period, shards: messages.length };
}

/**
 * Mails one shard's subscribers, page by page. Close to the deadline it queues the rest of the shard
 * as a new message and returns. A failed send throws after the shard's other mails went out, so
 * the queue redelivers the message; the per-window claim keeps anyone from getting a second mail.
 */
export async function remindShard(
  message: ReminderShardMessage,
  options: { deadline?: number } = {},
): Promise<MailRun> {
  const deadline = options.deadline ?? Date.now() + FUNCTION_GROUPS.readingMail.timeoutSeconds * 1000 - SAFETY_MS;
  const run = newMailRun();
  const { shard, period, closesAt } = message;
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
        // Already reminded for this window: skipped by the filter (still read, never mailed).
        FilterExpression: 'attribute_not_exists(remindedFor) OR remindedFor <> :period',
        ExpressionAttributeValues: { ':pk': shard, ':period': period },
        Limit: 100,
        ExclusiveStartKey: start,
      }),
    );
    start = page.LastEvaluatedKey;
    const accounts = (page.Items ?? []).map((i) => String(i.account));
    if (accounts.length === 0) continue;
    const cabinets = await cabinetsOf(accounts);
    await forEachConcurrently(accounts, SEND_CONCURRENCY, async (account) => {
      const cabinet = cabinets.get(account);
      if (!cabinet?.remindersOptIn || !cabinet.email) {
        // The cabinet is gone (ownership transfer) or opted out: the subscription is stale.
        await setReminderSubscription(account, false);
        run.skipped++;
        return;
      }
      if (!(await claimReminder(account, period))) {
        run.skipped++;
        return;
      }
      await sendClaimed(
        run,
        reminderMail(cabinet.email, account, { period, closesAt }),
        () => releaseReminder(account, period),
        'Reminder not sent',
      );
    });
  } while (start);
  logger.info('Window reminders of a shard', { period, ...run });
  if (run.failed > 0) {
    throw new Error(`Напоминания разосланы не всем (отправлено ${run.sent}, ошибок ${run.failed}): повтор продолжит`);
  }
  return run;
}

/** The reading-mail queue's consumer: a message that does not parse fails (and dead-letters). */
export async function handleReadingMailMessage(body: unknown): Promise<void> {
  await remindShard(ReminderShardMessage.parse(body));
}
