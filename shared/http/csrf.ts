import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { DomainError } from '#shared/errors';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * OWASP's custom-request-header defence (docs/accounts.md, «Every write under /api needs the header»):
 * a browser cannot send X-Requested-With cross-origin without a CORS preflight we never grant, so a
 * state-changing request without it is refused before anything runs. Runs after header
 * normalisation (lower-case names).
 */
export function requireRequestedWith(
  isExempt: (event: APIGatewayProxyEventV2) => boolean,
): MiddlewareObj<APIGatewayProxyEventV2> {
  return {
    before: (request) => {
      const event = request.event;
      if (!STATE_CHANGING.has(event.requestContext.http.method)) return;
      if (isExempt(event)) return;
      if (event.headers?.['x-requested-with'] !== 'XMLHttpRequest') {
        throw DomainError.of('csrf');
      }
    },
  };
}
