import type { z } from 'zod';
import { ACCOUNT_ROUTES } from '#shared/accounts/routes';
import { HealthResponse, OpenApiResponse } from '#shared/api/schemas';
import { BILLING_ROUTES } from '#shared/billing/routes';
import { EPD_ROUTES } from '#shared/epd/routes';
import type { ErrorCode } from '#shared/errors';
import type { FunctionGroupName } from '#shared/functions';
import type { AddressLimitName } from '#shared/limits/policy';
import { PAYMENT_ROUTES } from '#shared/payments/routes';
import { READING_ROUTES } from '#shared/readings/routes';
import { SUPPORT_ROUTES } from '#shared/support/routes';

/**
 * Every HTTP route, listed once. The CDK stack turns each into an HTTP API route integrated with
 * its group's Lambda; the local gateway matches requests against the same list; the OpenAPI
 * document is generated from the schemas named here.
 */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteDefinition {
  method: HttpMethod;
  /** API Gateway path syntax: `/api/payments/{id}`. */
  path: string;
  group: FunctionGroupName;
  summary: string;
  tag: string;
  /** Session required (the resident's cookie). */
  auth: boolean;
  /** Bank webhooks authenticate by signature and are exempt from the X-Requested-With check. */
  csrfExempt?: boolean;
  /**
   * The handler gets the body as the decoded text (`rawBody`; base64 undone), unparsed and of any
   * content type: a signed webhook must check the exact bytes it was sent before reading them. A
   * `body` schema is then documentation only; the handler validates after the signature check.
   */
  rawBody?: boolean;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** Success status and body schema (absent: no body, or a non-JSON body described by `contentType`). */
  success: { status: number; body?: z.ZodType; contentType?: string };
  /** Named error codes this route may answer (statuses from the catalogue), documented in OpenAPI. */
  errors?: readonly ErrorCode[];
  /**
   * Routes without a session are limited per source address (shared/limits/policy.ts): this names
   * the limit; absent, `public`; `edge`: only the WAF's per-address rule (constant public
   * documents whose function cannot write the table). Routes with a session and signed bank
   * callbacks are not.
   */
  limit?: AddressLimitName | 'edge';
}

export const ROUTES = [
  {
    method: 'GET',
    path: '/api/health',
    group: 'system',
    summary: 'Проверка работоспособности',
    tag: 'system',
    auth: false,
    limit: 'edge',
    success: { status: 200, body: HealthResponse },
  },
  {
    method: 'GET',
    path: '/api/openapi.json',
    group: 'system',
    summary: 'Описание API в формате OpenAPI 3.1',
    tag: 'system',
    auth: false,
    limit: 'edge',
    success: { status: 200, body: OpenApiResponse },
  },
  ...ACCOUNT_ROUTES,
  ...SUPPORT_ROUTES,
  ...BILLING_ROUTES,
  ...READING_ROUTES,
  ...PAYMENT_ROUTES,
  ...EPD_ROUTES,
] as const satisfies readonly RouteDefinition[];

export type RouteKey = `${HttpMethod} ${string}`;

export function routeKey(route: Pick<RouteDefinition, 'method' | 'path'>): RouteKey {
  return `${route.method} ${route.path}`;
}

/** A path segment's %-escapes undone; undefined for a malformed one (`%E0`, `%zz`): no such path. */
function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/**
 * Matches a concrete request path against a route path; returns the path parameters. A parameter
 * with a malformed %-escape matches nothing, so such a request is a 404 like any unknown path.
 */
export function matchPath(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i] as string;
    const g = got[i] as string;
    const param = /^\{(\w+)\}$/.exec(w);
    if (param) {
      const value = g === '' ? undefined : decodeSegment(g);
      if (value === undefined) return undefined;
      params[param[1] as string] = value;
    } else if (w !== g) {
      return undefined;
    }
  }
  return params;
}

export function findRoute(
  method: string,
  path: string,
): { route: RouteDefinition; pathParameters: Record<string, string> } | undefined {
  for (const route of ROUTES as readonly RouteDefinition[]) {
    if (route.method !== method) continue;
    const pathParameters = matchPath(route.path, path);
    if (pathParameters) return { route, pathParameters };
  }
  return undefined;
}

/** Paths that exist, for answering 405 instead of 404 when only the method is wrong. */
export function pathExists(path: string): boolean {
  return (ROUTES as readonly RouteDefinition[]).some((r) => matchPath(r.path, path));
}
