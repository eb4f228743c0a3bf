import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  DeleteCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { type Credentials, credentialsKey } from '#shared/accounts/store';
import { db, tableName } from '#shared/clients/dynamo';
import { sendMail } from '#shared/clients/mail';
import { sendToQueue } from '#shared/clients/queue';
import { forEachConcurrently } from '#shared/concurrency';
import { FUNCTION_GROUPS } from '#shared/functions';
import { keys } from '#shared/keys';
import { logger } from '#shared/logger';
import { type ExpiringMeter, reminderMail, verificationMail } from '#shared/readings/mails';
import { submissionPeriod } from '#shared/readings/period';
import { MAIN_TABLE } from '#shared/tables';
import { moscowDate, now } from '#shared/time';
import { currentWindow } from '#shared/window/windowStore';

/**
 * Scheduled mail about readings. Both jobs are safe to re-run: each recipient is claimed by a
 * conditional write before the mail goes out (the reminder per subscription and window period,
 * the warning per meter and verification date), so a retry or a second run sends nothing twice.
 * A mail that fails to send gives its claim back and fails the run, so the scheduler's retry
 * sends it later.
 *
 * Scale: the reminder job reads REMINDER_SHARDS small partitions page by page (100 subscriptions
 * and one BatchGet of their credentials per page) and sends with bounded concurrency; a city's
 * ~100k accounts are a few hundred pages. SES's send rate is the real limit: if the run nears the
 * Lambda timeout it stops, reports itself unfinished (an error, so the scheduler retries within
 * its two-hour window) and the retry continues with whoever is still unclaimed. A region (5M)
 * would give each shard its own invocation (a schedule or queue message per shard); the key
 * design already allows it.
 */

const SEND_CONCURRENCY = 8;
/** Stop claiming new recipients this long before the function's timeout. */
const SAFETY_MS = 60_000;

export interface NoticeRun {
  sent: number;
  skipped: number;
  failed: number;
  unfinished: boolean;
}

async function credentialsOf(accounts: readonly string[]): Promise<Map<string, Credentials>> {
  const found = new Map<string, Credentials>();
  let request: Record<string, unknown>[] | undefined = accounts.map(credentialsKey);
  for (let attempt = 0; request && request.length > 0 && attempt < 8; attempt++) {
    const out: BatchGetCommandOutput = await db().send(
      new BatchGetCommand({
        RequestItems: {
          [tableName()]: {
            Keys: request,
            ProjectionExpression: '#account, email, remindersOptIn',
            ExpressionAttributeNames: { '#account': 'account' },
          },
        },
      }),
    );
    for (const item of out.Responses?.[tableName()] ?? []) found.set(String(item.account), item as Credentials);
    request = out.UnprocessedKeys?.[tableName()]?.Keys;
  }
  return found;
}

const isConditionFailure = (error: unknown) => error instanceof ConditionalCheckFailedException;

/** Claims a subscription for the period; false when someone (an earlier run) already did. */
async function claimReminder(account: string, period: string): Promise<boolean> {
  try {
    await db().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.reminderSubscription(account),
        UpdateExpression: 'SET remindedFor = :period',
        ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(remindedFor) OR remindedFor <> :period)',
        ExpressionAttributeValues: { ':period': period },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

async function releaseReminder(account: string, period: string): Promise<void> {
  await db()
    .send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.reminderSubscription(account),
        UpdateExpression: 'REMOVE remindedFor',
        ConditionExpression: 'remindedFor = :period',
        ExpressionAttributeValues: { ':period': period },
      }),
    )
    .catch((error: unknown) => {
      if (!isConditionFailure(error)) throw error;
    });
}

/** A queue message of the reminder fan-out: one shard of subscriptions, from a page on. */
export interface ReminderShardMessage {
  kind: 'remindShard';
  shard: string;
  period: string;
  closesAt: string;
  start?: Record<string, unknown>;
}

/**
 * The window reminder, to every registered resident with reminders on, once per window. The
 * scheduled job (on the opening day, see shared/schedules.ts) only checks the window and sends one
 * message per subscription shard to the reading-mail queue; each shard is mailed by its own
 * invocation, so a city's reminders are spread over Lambdas instead of riding on one 15-minute run.
 */
export async function startWindowReminders(): Promise<{ period?: string; shards: number }> {
  const window = await currentWindow();
  if (!window.open) {
    logger.info('Reading window closed: no reminders');
    return { shards: 0 };
  }
  const period = submissionPeriod(window);
  const messages: ReminderShardMessage[] = keys
    .reminderShards()
    .map((shard) => ({ kind: 'remindShard', shard, period, closesAt: window.closesAt }));
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
): Promise<NoticeRun> {
  const deadline = options.deadline ?? Date.now() + FUNCTION_GROUPS.readingMail.timeoutSeconds * 1000 - SAFETY_MS;
  const run: NoticeRun = { sent: 0, skipped: 0, failed: 0, unfinished: false };
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
    const credentials = await credentialsOf(accounts);
    await forEachConcurrently(accounts, SEND_CONCURRENCY, async (account) => {
      const cabinet = credentials.get(account);
      if (!cabinet?.remindersOptIn || !cabinet.email) {
        // The cabinet is gone (ownership transfer) or opted out: the subscription is stale.
        await db().send(new DeleteCommand({ TableName: tableName(), Key: keys.reminderSubscription(account) }));
        run.skipped++;
        return;
      }
      if (!(await claimReminder(account, period))) {
        run.skipped++;
        return;
      }
      try {
        await sendMail(reminderMail(cabinet.email, account, { period, closesAt }));
        run.sent++;
      } catch (error) {
        run.failed++;
        // The error's name only: an SES message may quote the address.
        logger.warn('Reminder not sent', { error: (error as Error).name });
        await releaseReminder(account, period);
      }
    });
  } while (start);
  logger.info('Window reminders of a shard', { period, ...run });
  if (run.failed > 0) {
    throw new Error(`Напоминания разосланы не всем (отправлено ${run.sent}, ошибок ${run.failed}): повтор продолжит`);
  }
  return run;
}

/** The reading-mail queue's consumer. */
export async function handleReadingMailMessage(body: unknown): Promise<void> {
  const message = body as Partial<ReminderShardMessage>;
  if (message.kind !== 'remindShard' || !message.shard || !message.period || !message.closesAt) {
    throw new Error('Unknown reading-mail message');
  }
  await remindShard(message as ReminderShardMessage);
}

interface IndexedMeter extends ExpiringMeter {
  account: string;
  verificationWarnedFor?: string;
}

async function claimWarning(meter: IndexedMeter): Promise<boolean> {
  try {
    await db().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.meter(meter.account, meter.serial),
        UpdateExpression: 'SET verificationWarnedFor = :date',
        // The date must still be the one indexed (a re-import may have moved it).
        ConditionExpression:
          'verifiedUntil = :date AND (attribute_not_exists(verificationWarnedFor) OR verificationWarnedFor <> :date)',
        ExpressionAttributeValues: { ':date': meter.verifiedUntil },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

async function releaseWarning(meter: IndexedMeter): Promise<void> {
  await db()
    .send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.meter(meter.account, meter.serial),
        UpdateExpression: 'REMOVE verificationWarnedFor',
        ConditionExpression: 'verificationWarnedFor = :date',
        ExpressionAttributeValues: { ':date': meter.verifiedUntil },
      }),
    )
    .catch((error: unknown) => {
      if (!isConditionFailure(error)) throw error;
    });
}

/** `YYYY-MM-DD` one calendar month later (31 January → 28/29 February). */
export function oneMonthLater(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  const next = new Date(Date.UTC(y, m, Math.min(d, lastDay)));
  return next.toISOString().slice(0, 10);
}

/**
 * The verification warning, daily: every meter whose verification ends between today and a month
 * from today, not yet warned about for that date, gets one mail to its account's resident (one
 * mail per account listing its meters). A day the job missed is caught up the next day. Meters of
 * accounts without a cabinet are marked too: nobody to mail, and the meters page shows the date.
 */
export async function sendVerificationWarnings(): Promise<NoticeRun> {
  const run: NoticeRun = { sent: 0, skipped: 0, failed: 0, unfinished: false };
  const today = moscowDate(now());
  const until = oneMonthLater(today);
  const months = [...new Set([today.slice(0, 7), until.slice(0, 7)])];
  const due: IndexedMeter[] = [];
  for (const month of months) {
    let start: Record<string, unknown> | undefined;
    do {
      const page = await db().send(
        new QueryCommand({
          TableName: tableName(),
          IndexName: MAIN_TABLE.globalSecondaryIndexes[0].indexName,
          KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk BETWEEN :from AND :to',
          FilterExpression: 'attribute_not_exists(verificationWarnedFor) OR verificationWarnedFor <> verifiedUntil',
          ExpressionAttributeValues: {
            ':pk': `VERIFY#${month}`,
            ':from': today,
            // `#` sorts after the date's last digit: the whole `until` day is included.
            ':to': `${until}#~`,
          },
          ExclusiveStartKey: start,
        }),
      );
      due.push(...((page.Items ?? []) as IndexedMeter[]));
      start = page.LastEvaluatedKey;
    } while (start);
  }
  const byAccount = Map.groupBy(due, (m) => m.account);
  const credentials = new Map<string, Credentials>();
  const accounts = [...byAccount.keys()];
  for (let i = 0; i < accounts.length; i += 100) {
    for (const [account, c] of await credentialsOf(accounts.slice(i, i + 100))) credentials.set(account, c);
  }
  await forEachConcurrently([...byAccount], SEND_CONCURRENCY, async ([account, meters]) => {
    const claimed: IndexedMeter[] = [];
    for (const meter of meters) if (await claimWarning(meter)) claimed.push(meter);
    const email = credentials.get(account)?.email;
    if (claimed.length === 0 || !email) {
      run.skipped += meters.length;
      return;
    }
    try {
      await sendMail(verificationMail(email, account, claimed));
      run.sent++;
    } catch (error) {
      run.failed++;
      logger.warn('Verification warning not sent', { error: (error as Error).name });
      for (const meter of claimed) await releaseWarning(meter);
    }
  });
  logger.info('Verification warnings', { meters: due.length, ...run });
  if (run.failed > 0) throw new Error(`Предупреждения о поверке отправлены не всем (ошибок ${run.failed})`);
  return run;
}
