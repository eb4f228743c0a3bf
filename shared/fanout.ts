import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { accountsOfShard } from '#shared/billing/store';
import { db, tableName } from '#shared/clients/dynamo';
import { sendToQueue } from '#shared/clients/queue';
import { ACCOUNT_NUMBER } from '#shared/format';
import { ACCOUNT_SHARDS, keys } from '#shared/keys';
import { logger } from '#shared/logger';
import { countMetric, type MetricName } from '#shared/metrics';
import type { QueueName } from '#shared/queues';
import { now, PERIOD_RE } from '#shared/time';

/**
 * The fan-out every monthly run over all accounts shares (billing, ЕПД issuance): the coordinator
 * sends one `shard` message per shard of the accounts index; a shard message pages through its
 * shard and sends one `batch` message per page of accounts; each batch is its own invocation.
 */
export function runMessageSchema(batchSize: number) {
  return z.discriminatedUnion('type', [
    z.object({
      type: z.literal('shard'),
      period: z.string().check(z.regex(PERIOD_RE)),
      runId: z.string().check(z.minLength(1)),
      shard: z.number().check(z.int(), z.gte(0)),
    }),
    z.object({
      type: z.literal('batch'),
      period: z.string().check(z.regex(PERIOD_RE)),
      runId: z.string().check(z.minLength(1)),
      accounts: z.array(z.string().check(z.regex(ACCOUNT_NUMBER))).check(z.minLength(1), z.maxLength(batchSize)),
    }),
  ]);
}

export type RunMessage = z.infer<ReturnType<typeof runMessageSchema>>;
export type ShardMessage = Extract<RunMessage, { type: 'shard' }>;
export type BatchMessage = Extract<RunMessage, { type: 'batch' }>;

/** A run id that sorts by start time and never collides between two runs started at once. */
export function newRunId(at: Date): string {
  return `${at.toISOString()}#${randomUUID().slice(0, 8)}`;
}

/** The coordinator's messages: one per accounts shard. */
export async function sendShardMessages(queue: QueueName, period: string, runId: string): Promise<number> {
  const messages: ShardMessage[] = Array.from({ length: ACCOUNT_SHARDS }, (_, shard) => ({
    type: 'shard',
    period,
    runId,
    shard,
  }));
  await sendToQueue(queue, messages);
  return messages.length;
}

/** Batch messages sent together (SQS SendMessageBatch takes 10). */
const SEND_GROUP = 10;

/** Pages through one shard of the accounts index and queues its batches; returns how many. */
export async function planShard(queue: QueueName, message: ShardMessage, batchSize: number): Promise<number> {
  let after: string | undefined;
  let batches = 0;
  let pending: BatchMessage[] = [];
  do {
    const page = await accountsOfShard(message.shard, after, batchSize);
    if (page.accounts.length > 0) {
      pending.push({ type: 'batch', period: message.period, runId: message.runId, accounts: page.accounts });
      batches++;
    }
    if (pending.length >= SEND_GROUP) {
      await sendToQueue(queue, pending);
      pending = [];
    }
    after = page.next;
  } while (after);
  if (pending.length > 0) await sendToQueue(queue, pending);
  return batches;
}

export interface FannedOutRun {
  runId: string;
  /** True when a scheduled job's retry found the run its first attempt started, and joined it. */
  joined: boolean;
}

/**
 * Starts a run: records it and sends one message per accounts shard. A scheduled job (`job` set)
 * claims its period first: EventBridge Scheduler and Lambda's asynchronous invocation both retry a
 * job that threw or timed out, and the retry joins the claimed run (same run id) instead of
 * starting a second one. A claim whose messages were sent is a finished start: the retry sends
 * nothing. One whose attempt died before sending is completed by the retry (`createRecord` must
 * accept a record that already exists). An operator's run (`job` absent) is always a new run.
 */
export async function startFannedOutRun(options: {
  queue: QueueName;
  period: string;
  at: Date;
  job?: string;
  createRecord: (runId: string) => Promise<void>;
}): Promise<FannedOutRun> {
  const { queue, period, job } = options;
  let runId = newRunId(options.at);
  let joined = false;
  if (job) {
    const claim = keys.scheduledRun(job, period);
    try {
      await db().send(
        new PutCommand({
          TableName: tableName(),
          Item: { ...claim, entity: 'scheduledRun', job, period, runId, dispatched: false },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const out = await db().send(new GetCommand({ TableName: tableName(), Key: claim, ConsistentRead: true }));
      const existing = out.Item as { runId: string; dispatched?: boolean } | undefined;
      if (!existing) throw error;
      runId = existing.runId;
      joined = true;
      if (existing.dispatched) return { runId, joined };
    }
  }
  await options.createRecord(runId);
  await sendShardMessages(queue, period, runId);
  if (job) {
    await db().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.scheduledRun(job, period),
        UpdateExpression: 'SET dispatched = :yes',
        ExpressionAttributeValues: { ':yes': true },
      }),
    );
  }
  return { runId, joined };
}

/** True for the error a conditional Put raises when its item exists (a joined run's record). */
export function alreadyExists(error: unknown): boolean {
  return error instanceof ConditionalCheckFailedException;
}

/**
 * Marks a run complete once every shard was planned and every planned batch done, exactly once
 * (a conditional write), and counts the completion metric the deadline alarms watch. Called after
 * each shard's and batch's counters are added; all but the last find the condition false.
 */
export async function completeRunIfDone(key: { pk: string; sk: string }, metric: MetricName): Promise<boolean> {
  try {
    await db().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: key,
        UpdateExpression: 'SET completedAt = :at',
        ConditionExpression:
          'attribute_exists(pk) AND attribute_not_exists(completedAt) AND #shardsDone >= #shards AND #batchesDone >= #batchesPlanned',
        ExpressionAttributeNames: {
          '#shardsDone': 'shardsDone',
          '#shards': 'shards',
          '#batchesDone': 'batchesDone',
          '#batchesPlanned': 'batchesPlanned',
        },
        ExpressionAttributeValues: { ':at': now().toISOString() },
      }),
    );
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
  countMetric(metric);
  logger.info('Run completed', { runKey: key.pk, runId: key.sk });
  return true;
}

/** Whether any run of a period (a runs partition: BILLING_RUN#… or EPD_RUN#…) has completed. */
export async function anyRunCompleted(runsPartition: string): Promise<boolean> {
  const out = await db().send(
    new QueryCommand({
      TableName: tableName(),
      KeyConditionExpression: 'pk = :pk',
      FilterExpression: 'attribute_exists(completedAt)',
      ExpressionAttributeValues: { ':pk': runsPartition },
      ProjectionExpression: 'pk',
    }),
  );
  return (out.Items?.length ?? 0) > 0;
}

/**
 * What tells one kind of run (billing, ЕПД issuance) from another: its queue, its batch size, how
 * its run record is written and keyed, and the metrics its completion and its absence count.
 */
export interface RunKind {
  queue: QueueName;
  batchSize: number;
  /** Log wording: `${name} started` / `${name} joined`. */
  name: string;
  /** Logged by the deadline check when no run of the period completed. */
  missingLog: string;
  /** Refuses a period the run cannot start for (throws). */
  checkPeriod: (period: string, at: Date) => void;
  /** Writes a new run record with zero counters; a conditional Put (fails when it exists). */
  createRecord: (run: {
    period: string;
    runId: string;
    shards: number;
    startedAt: string;
    source: string;
  }) => Promise<void>;
  /** Adds a planned shard's counters to the run record. */
  addToRecord: (
    period: string,
    runId: string,
    counters: { shardsDone: number; batchesPlanned: number },
  ) => Promise<void>;
  recordKey: (period: string, runId: string) => { pk: string; sk: string };
  /** The partition of a period's runs. */
  runsOf: (period: string) => string;
  completedMetric: MetricName;
  missingMetric: MetricName;
}

export interface StartedRun {
  period: string;
  runId: string;
  shards: number;
}

/**
 * The coordinator: records the run and fans out one message per accounts shard. Started by the
 * schedule (`job`), a retry of the same job for the same period joins the run it started.
 */
export async function startRun(
  kind: RunKind,
  options: { period: string; at: Date; source: string; job?: string },
): Promise<StartedRun> {
  const { period, at } = options;
  kind.checkPeriod(period, at);
  const { runId, joined } = await startFannedOutRun({
    queue: kind.queue,
    period,
    at,
    ...(options.job ? { job: options.job } : {}),
    createRecord: async (id) => {
      try {
        await kind.createRecord({
          period,
          runId: id,
          shards: ACCOUNT_SHARDS,
          startedAt: at.toISOString(),
          source: options.source,
        });
      } catch (error) {
        if (!alreadyExists(error)) throw error;
      }
    },
  });
  logger.info(joined ? `${kind.name} joined` : `${kind.name} started`, { period, runId, shards: ACCOUNT_SHARDS });
  return { period, runId, shards: ACCOUNT_SHARDS };
}

/**
 * The deadline check (a `….check` job): counts the missing-run metric, which the stack alarms on,
 * when no run of `period` has completed.
 */
export async function checkRunCompleted(
  kind: RunKind,
  period: string,
): Promise<{ period: string; completed: boolean }> {
  const completed = await anyRunCompleted(kind.runsOf(period));
  if (!completed) {
    countMetric(kind.missingMetric);
    logger.error(kind.missingLog, { period });
  }
  return { period, completed };
}

/** A shard message: pages through its shard, queues its batches, and counts them on the run. */
export async function planRunShard(kind: RunKind, message: ShardMessage): Promise<void> {
  const batches = await planShard(kind.queue, message, kind.batchSize);
  await kind.addToRecord(message.period, message.runId, { shardsDone: 1, batchesPlanned: batches });
  await completeRunIfDone(kind.recordKey(message.period, message.runId), kind.completedMetric);
}
