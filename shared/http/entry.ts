import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { logger } from '#shared/logger';

/** Payload EventBridge Scheduler delivers to a group's Lambda. */
export interface JobEvent {
  job: string;
}

export type JobHandler = () => Promise<unknown>;

type HttpHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<unknown>;

/**
 * A group's Lambda entry: HTTP API events go to the Middy stack, scheduled jobs to their
 * function. A job's failure is rethrown so the scheduler's retry policy applies.
 */
export function groupEntry(parts: { http?: HttpHandler; jobs?: Record<string, JobHandler> }) {
  return async (event: APIGatewayProxyEventV2 | JobEvent, context: Context): Promise<unknown> => {
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
