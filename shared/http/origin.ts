import { timingSafeEqual } from 'node:crypto';
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { config } from '#shared/config';
import { ENV } from '#shared/env';
import { DomainError } from '#shared/errors';
import { secretValue } from '#shared/secrets';

/** The header CloudFront adds to every request it forwards to the API (infra/constructs/site.ts). */
export const ORIGIN_HEADER = 'x-rac-origin-verify';

/**
 * Deployed, the HTTP API's own execute-api address is public: a request sent there directly would
 * skip CloudFront and its web ACL (the per-address limits, the managed rule groups). CloudFront adds
 * a secret header that only it knows (the `origin` secret), and a request without it is refused
 * before anything runs. The local gateway plays CloudFront's part and needs no such header.
 */
export function requireCloudFront(): MiddlewareObj<APIGatewayProxyEventV2> {
  return {
    before: async (request) => {
      if (config().runtime !== 'aws') return;
      const expected = await secretValue(ENV.originSecret);
      // No value would let everyone in: refuse until the stack has written it.
      if (!expected) throw new Error(`${ENV.originSecret} is missing`);
      const sent = request.event.headers?.[ORIGIN_HEADER] ?? '';
      if (!sameSecret(sent, expected)) throw DomainError.of('forbidden');
    },
  };
}

function sameSecret(sent: string, expected: string): boolean {
  const a = Buffer.from(sent, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
