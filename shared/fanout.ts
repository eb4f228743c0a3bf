import { randomUUID } from 'node:crypto';
import * as z from 'zod';
import { accountsOfShard } from '#shared/billing/store';
import { sendToQueue } from '#shared/clients/queue';
import { ACCOUNT_NUMBER } from '#shared/format';
import { ACCOUNT_SHARDS } from '#shared/keys';
import type { QueueName } from '#shared/queues';
import { PERIOD_RE } from '#shared/time';

/**
 * The fan-out every monthly run over all accounts shares (billing, ЕПД issuance): the coordinator
 * sends one `shard` message per shard of the accounts index; a shard message pages through its
 * shard and sends one `batch` message per page of accounts; each batch is its own invocation.
 */
export function runMessageSchema(batchSize: number) {
  return z.discriminatedUnion('type', [
    z.object({
      type: z.literal('shard'),
      period: z.string().regex(PERIOD_RE),
      runId: z.string().min(1),
      shard: z.number().int().min(0),
    }),
    z.object({
      type: z.literal('batch'),
      period: z.string().regex(PERIOD_RE),
      runId: z.string().min(1),
      accounts: z.array(z.string().regex(ACCOUNT_NUMBER)).min(1).max(batchSize),
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
