import type { APIGatewayProxyEventV2, Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { logger } from '#shared/logger';
import { traced } from '#shared/tracer';

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
 * Log keys for the span of one request, job or queue message: every line logged meanwhile carries
 * them (so one `requestId` or `runId` finds a whole request or fan-out in CloudWatch Logs
 * Insights), and they are removed after, so a warm container's next invocation starts clean.
 */
export async function withLogKeys<T>(keys: Record<string, string | undefined>, work: () => Promise<T>): Promise<T> {
  const present = Object.fromEntries(Object.entries(keys).filter(([, v]) => v !== undefined)) as Record<string, string>;
  logger.appendKeys(present);
  try {
    return await work();
  } finally {
    logger.removeKeys(Object.keys(present));
  }
}

/** A fan-out message names its run and period (shared/fanout.ts); only those are logged, never the body. */
function runKeysOf(body: unknown): { runId?: string; period?: string } {
  if (typeof body !== 'object' || body === null) return {};
  const { runId, period } = body as { runId?: unknown; period?: unknown };
  return {
    ...(typeof runId === 'string' ? { runId } : {}),
    ...(typeof period === 'string' ? { period } : {}),
  };
}

async function handleRecord(record: SQSRecord, queue: MessageHandler): Promise<boolean> {
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    body = undefined;
  }
  return withLogKeys({ messageId: record.messageId, ...runKeysOf(body) }, async () => {
    try {
      if (body === undefined) throw new Error('The message body is not JSON');
      await queue(body);
      return true;
    } catch (error) {
      logger.error('Queue message failed', { error: error as Error });
      return false;
    }
  });
}

/**
 * A group's Lambda entry: HTTP API events go to the Middy stack, scheduled jobs to their
 * function, queue messages to the group's message handler. A job's failure is rethrown so the
 * asynchronous invocation's retries and its on-failure destination apply.
 */
export function groupEntry(parts: { http?: HttpHandler; jobs?: Record<string, JobHandler>; queue?: MessageHandler }) {
  return async (event: APIGatewayProxyEventV2 | JobEvent | SQSEvent, context: Context): Promise<unknown> => {
    if (isQueueEvent(event)) {
      const queue = parts.queue;
      if (!queue) throw new Error('This function consumes no queue');
      return traced('queue', { records: String(event.Records.length) }, async () => {
        // Partial batch response (ReportBatchItemFailures): only the failed messages come back.
        const response: SQSBatchResponse = { batchItemFailures: [] };
        for (const record of event.Records) {
          if (!(await handleRecord(record, queue)))
            response.batchItemFailures.push({ itemIdentifier: record.messageId });
        }
        return response;
      });
    }
    if ('job' in event) {
      const job = parts.jobs?.[event.job];
      if (!job) throw new Error(`Unknown job ${event.job}`);
      return withLogKeys({ job: event.job, requestId: context?.awsRequestId }, () =>
        traced('job', { job: event.job }, async () => {
          logger.info('Job started');
          const result = await job();
          logger.info('Job finished', runKeysOf(result));
          return result;
        }),
      );
    }
    const http = parts.http;
    if (!http) throw new Error('This function serves no HTTP routes');
    // API Gateway's request id: the same one its access log records for this request.
    return withLogKeys({ requestId: event.requestContext?.requestId }, () =>
      traced('http', { routeKey: event.routeKey ?? '' }, () => http(event, context)),
    );
  };
}
