import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { config } from '#shared/config';
import { QUEUES, type QueueName } from '#shared/queues';
import { tracer } from '#shared/tracer';

/**
 * Sending work to a queue of shared/queues.ts. In AWS the messages go to SQS and the consumer's
 * Lambda is invoked by its event source mapping. Locally there is no SQS: the local runtime (and
 * the CLI) install a transport that hands each message to the same group handler in-process, as an
 * SQS event (local/queue.ts).
 */
export interface QueueTransport {
  send(queue: QueueName, messages: readonly unknown[]): Promise<void>;
}

let transport: QueueTransport | undefined;

/** The local runtime, the CLI and tests install their in-process queue here. */
export function useQueueTransport(next: QueueTransport | undefined): void {
  transport = next;
}

export function queueTransport(): QueueTransport {
  if (transport) return transport;
  if (config().runtime !== 'aws') {
    throw new Error('No queue transport: the local runtime or the CLI installs one (local/queue.ts)');
  }
  transport = sqsTransport();
  return transport;
}

export function sendToQueue(queue: QueueName, messages: readonly unknown[]): Promise<void> {
  return queueTransport().send(queue, messages);
}

/** SendMessageBatch takes at most 10 messages. */
const SQS_BATCH = 10;
const MAX_ATTEMPTS = 5;

function sqsTransport(): QueueTransport {
  const client = tracer.captureAWSv3Client(new SQSClient({}));
  return {
    async send(queue, messages) {
      const url = process.env[QUEUES[queue].urlEnv];
      if (!url) throw new Error(`${QUEUES[queue].urlEnv} is not set`);
      for (let i = 0; i < messages.length; i += SQS_BATCH) {
        let entries = messages
          .slice(i, i + SQS_BATCH)
          .map((message, j) => ({ Id: String(j), MessageBody: JSON.stringify(message) }));
        for (let attempt = 0; entries.length > 0; attempt++) {
          if (attempt >= MAX_ATTEMPTS) throw new Error(`SQS refused ${entries.length} messages after retries`);
          if (attempt > 0) await new Promise((r) => setTimeout(r, Math.random() * 100 * 2 ** attempt));
          const out = await client.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: entries }));
          const failed = new Set((out.Failed ?? []).map((f) => f.Id));
          entries = entries.filter((e) => failed.has(e.Id));
        }
      }
    },
  };
}
