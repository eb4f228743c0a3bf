import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { DomainError, type PlainErrorCode } from '#shared/errors';
import { logger } from '#shared/logger';
import { countMetric, OPS_METRIC } from '#shared/metrics';

/** Middy's parsers throw HTTP errors with English messages; residents get ours. */
const FROM_MIDDY_STATUS: Record<number, PlainErrorCode> = {
  400: 'invalid_json',
  415: 'unsupported_media_type',
  422: 'invalid_json',
};

export function toDomainError(error: unknown): DomainError {
  if (error instanceof DomainError) return error;
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return DomainError.of(FROM_MIDDY_STATUS[status] ?? 'invalid_input');
  }
  return DomainError.of('internal');
}

export function errorResponse(error: DomainError): APIGatewayProxyResultV2 {
  return {
    statusCode: error.status,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
      ...(error.retryAfter === undefined ? {} : { 'retry-after': String(error.retryAfter) }),
    },
    body: JSON.stringify(error.toBody()),
  };
}

/**
 * The one error handler: domain errors become the contract's body; everything else is logged
 * (message and stack only, never the event) and answered with a 500 that reveals nothing.
 */
export function contractErrorHandler(): MiddlewareObj {
  return {
    onError: (request) => {
      const mapped = toDomainError(request.error);
      if (mapped.status >= 500) {
        logger.error('Unhandled error', { error: request.error as Error });
        // The invocation succeeds with this 500, so Lambda's Errors metric never sees it: this one does.
        countMetric(OPS_METRIC.unhandledError);
      } else {
        logger.info('Request refused', { code: mapped.code, status: mapped.status });
      }
      request.response = errorResponse(mapped);
    },
  };
}
