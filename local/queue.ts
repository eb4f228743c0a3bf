import { randomUUID } from 'node:crypto';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { invokeGroup } from '#local/lambda';
import { useQueueTransport } from '#shared/clients/queue';
import { QUEUES, type QueueName } from '#shared/queues';

/**
 * The local stand-in for SQS and its event source mappings: messages sent to a queue of
 * shared/queues.ts are delivered, as SQS events of one record, to the consumer group's handler in
 * this process, at most `concurrency` at a time. A message the handler reports failed (partial
 * batch response) or throws on is redelivered, up to the queue's maxReceiveCount, then set aside
 * as a dead letter, as SQS would move it to the dead-letter queue.
 */
export interface LocalQueues {
  /** Resolves when every queue is empty and nothing is in flight (messages sent meanwhile included). */
  drain: () => Promise<void>;
  deadLetters: Array<{ queue: QueueName; body: unknown; error: string }>;
  delivered: () => number;
  stop: () => void;
}

interface Pending {
  queue: QueueName;
  body: string;
  messageId: string;
  receiveCount: number;
}

export function sqsEvent(queue: QueueName, message: Pending): SQSEvent {
  const record: SQSRecord = {
    messageId: message.messageId,
    receiptHandle: message.messageId,
    body: message.body,
    attributes: {
      ApproximateReceiveCount: String(message.receiveCount),
      SentTimestamp: String(Date.now()),
      SenderId: 'local',
      ApproximateFirstReceiveTimestamp: String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:local:000000000000:${QUEUES[queue].id}`,
    awsRegion: 'local',
  };
  return { Records: [record] };
}

export function startLocalQueues(
  options: { concurrency?: number; log?: (message: string) => void; retryDelayMs?: number } = {},
): LocalQueues {
  const concurrency = options.concurrency ?? 4;
  const log = options.log ?? console.log;
  const retryDelayMs = options.retryDelayMs ?? 200;
  const waiting: Pending[] = [];
  const deadLetters: LocalQueues['deadLetters'] = [];
  let active = 0;
  let delayed = 0;
  let delivered = 0;
  let stopped = false;
  let idle: Array<() => void> = [];

  const settleIfIdle = () => {
    if (waiting.length === 0 && active === 0 && delayed === 0) {
      const resolve = idle;
      idle = [];
      for (const r of resolve) r();
    }
  };

  const deliver = async (message: Pending) => {
    let failure: string | undefined;
    try {
      const result = (await invokeGroup(QUEUES[message.queue].consumer, sqsEvent(message.queue, message))) as
        | SQSBatchResponse
        | undefined;
      if (result?.batchItemFailures?.length) failure = 'обработчик сообщил об ошибке';
    } catch (error) {
      failure = (error as Error).message;
    }
    delivered++;
    if (!failure) return;
    if (message.receiveCount >= QUEUES[message.queue].maxReceiveCount) {
      deadLetters.push({ queue: message.queue, body: JSON.parse(message.body), error: failure });
      log(`Очередь ${message.queue}: сообщение отложено в недоставленные после ${message.receiveCount} попыток`);
      return;
    }
    // Redelivered after a pause, like a message whose visibility timeout has run out.
    delayed++;
    setTimeout(() => {
      delayed--;
      waiting.push({ ...message, receiveCount: message.receiveCount + 1 });
      pump();
    }, retryDelayMs);
  };

  const pump = () => {
    while (!stopped && active < concurrency && waiting.length > 0) {
      const message = waiting.shift() as Pending;
      active++;
      void deliver(message).finally(() => {
        active--;
        pump();
        settleIfIdle();
      });
    }
    settleIfIdle();
  };

  useQueueTransport({
    async send(queue, messages) {
      for (const body of messages) {
        waiting.push({ queue, body: JSON.stringify(body), messageId: randomUUID(), receiveCount: 1 });
      }
      // Delivered on a later turn, as SQS would: the sender's own work finishes first.
      setImmediate(pump);
    },
  });

  return {
    drain: () =>
      new Promise<void>((resolve) => {
        idle.push(resolve);
        setImmediate(pump);
      }),
    deadLetters,
    delivered: () => delivered,
    stop: () => {
      stopped = true;
      useQueueTransport(undefined);
    },
  };
}
