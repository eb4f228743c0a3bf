import { ENV } from '#shared/env';
import type { FunctionGroupName } from '#shared/functions';

/**
 * Work queues, defined once: the CDK stack deploys each as an SQS queue (encrypted, TLS only) with
 * a dead-letter queue, grants its producers `sqs:SendMessage` and maps it onto its consumer group's
 * Lambda; the local runtime and the CLI deliver the same messages to the same group handler
 * in-process (local/queue.ts). A message body is JSON.
 */
export interface QueueDefinition {
  /** Construct id in the stack. */
  id: string;
  description: string;
  /** The group whose Lambda consumes the queue (its entry handles SQS events). */
  consumer: FunctionGroupName;
  /** Groups that send to it: only these get sqs:SendMessage. */
  producers: readonly FunctionGroupName[];
  /** The variable that carries the queue URL to producers. */
  urlEnv: string;
  /** Messages per Lambda invocation; each message is itself a batch of work. */
  batchSize: number;
  /** Upper bound on concurrent consumer invocations (protects the table and the account's concurrency). */
  maxConcurrency: number;
  /** Deliveries before a message goes to the dead-letter queue. */
  maxReceiveCount: number;
}

export const QUEUES = {
  billing: {
    id: 'BillingQueue',
    description: 'Billing run: one message per accounts shard, then one per batch of accounts',
    consumer: 'billing',
    producers: ['billing'],
    urlEnv: ENV.billingQueueUrl,
    batchSize: 1,
    maxConcurrency: 20,
    maxReceiveCount: 5,
  },
  epd: {
    id: 'EpdQueue',
    description: 'ЕПД issuance: one message per accounts shard, then one per batch of accounts to render and mail',
    consumer: 'epdIssue',
    producers: ['epdIssue'],
    urlEnv: ENV.epdQueueUrl,
    batchSize: 1,
    // Ten renderers at once: ~50 bills/s, within SES's send rate once the quota is raised, and a
    // city's bills in well under an hour.
    maxConcurrency: 10,
    maxReceiveCount: 5,
  },
  readingMail: {
    id: 'ReadingMailQueue',
    description:
      'Bulk mail to subscribers: reading-window reminders and news items, one message per subscription shard (and its continuations)',
    consumer: 'readingMail',
    producers: ['readingMail'],
    urlEnv: ENV.readingMailQueueUrl,
    batchSize: 1,
    // Eight shards mailed at once, each at 8 concurrent sends: within SES's rate once raised.
    maxConcurrency: 8,
    maxReceiveCount: 5,
  },
  mailEvents: {
    id: 'MailEventsQueue',
    description: 'SES bounce and complaint events (through SNS): the addresses to suppress',
    consumer: 'readingMail',
    // SES publishes to the mail events topic, which delivers here: no function sends to it.
    producers: [],
    urlEnv: ENV.mailEventsQueueUrl,
    batchSize: 10,
    maxConcurrency: 2,
    maxReceiveCount: 5,
  },
} as const satisfies Record<string, QueueDefinition>;

export type QueueName = keyof typeof QUEUES;

/**
 * Scheduled jobs are invoked asynchronously: Lambda retries a job that threw, then sends the event
 * to this on-failure destination (an SQS queue with an alarm) instead of discarding it. The
 * coordinators are idempotent per period (shared/fanout.ts startFannedOutRun), so retries join the
 * run. The local scheduler mirrors it (local/scheduler.ts).
 */
export const JOB_FAILURES = {
  id: 'JobFailures',
  /** Lambda's retries of an asynchronous invocation that threw (0–2). */
  retryAttempts: 2,
  /** An event older than this is not retried: a window opened hours late is wrong. */
  maxEventAgeHours: 2,
} as const;
export const QUEUE_NAMES = Object.keys(QUEUES) as QueueName[];

/**
 * AWS recommends a visibility timeout of at least six times the consumer's timeout, so a message is
 * not delivered twice while a slow invocation still works on it.
 */
export function visibilityTimeoutSeconds(consumerTimeoutSeconds: number): number {
  return consumerTimeoutSeconds * 6;
}
