import type { APIGatewayProxyEventV2, Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { logger } from '#shared/logger';

/** Payload EventBridge Scheduler delivers to a group's Lambda. */
export interface JobEvent {
  job: string;
}

export type JobHandler = () => Promise<unknown>;

/** Handles one queue message's parsed JSON body; throwing leaves the message for a retry. */
export type MessageHandler = (body: unknown) => Promise<void>;

function isQueueEvent(event: unknown): event is SQSEvent {
  const records = (event as { Records?: Array<{ eventSource?: string }> }).Records;
  return Array.isArray(records) && records.every((r) => r.eventSource === 'aws:sqs');
}

type HttpHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<unknown>;

/**
 * A group's Lambda entry: HTTP API events go to the Middy stack, scheduled jobs to their
 * function. A job's failure is rethrown so the scheduler's retry policy applies.
 */
export function groupEntry(parts: { http?: HttpHandler; jobs?: Record<string, JobHandler>; queue?: MessageHandler }) {
  return async (event: APIGatewayProxyEventV2 | JobEvent | SQSEvent, context: Context): Promise<unknown> => {
    if (isQueueEvent(event)) {
      if (!parts.queue) throw new Error('This function consumes no queue');
      // Partial batch response (ReportBatchItemFailures): only the failed messages come back.
      const response: SQSBatchResponse = { batchItemFailures: [] };
      for (const record of event.Records) {
        try {
          await parts.queue(JSON.parse(record.body));
        } catch (error) {
          logger.error('Queue message failed', { messageId: record.messageId, error: error as Error });
          response.batchItemFailures.push({ itemIdentifier: record.messageId });
        }
      }
      return response;
    }
    if ('job' in event) {
      const job = parts.jobs?.[event.job];
      if (!job) throw new Error(`Unknown job ${event.job}`);
      logger.info('Job started', { job: event.job });
      const result = await job();
      logger.info('Job finished', { job: event.job });
      return result;
    }
    if (!parts.http) throw new Error('This function serves no HTTP routes');
    return parts.http(event, context);
  };
}
