import type * as z from 'zod/mini';
import type { ErrorCode } from '#shared/errors';
import type { FunctionGroupName } from '#shared/functions';
import type { AddressLimitName } from '#shared/limits/policy';

/**
 * What a route is, and the helpers that need nothing but its method and path. This module imports
 * no route list: a function group's bundle takes its own table (shared/api/groups/<group>.ts) and
 * never the whole API's, whose schemas would all be built at every cold start (issue 13).
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
  query?: z.core.$ZodObject;
  body?: z.core.$ZodType;
  /** Success status and body schema (absent: no body, or a non-JSON body described by `contentType`). */
  success: { status: number; body?: z.core.$ZodType; contentType?: string };
  /** Other successful answers of the same route (login answering 202 with an SMS challenge), for OpenAPI. */
  otherSuccess?: readonly { status: number; body: z.core.$ZodType; description: string }[];
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

export type RouteKey = `${HttpMethod} ${string}`;

export function routeKey(route: Pick<RouteDefinition, 'method' | 'path'>): RouteKey {
  return `${route.method} ${route.path}`;
}

/**
 * One function group's routes: what its Lambda serves and its bundle carries. Built from the
 * capability lists (shared/<capability>/routes.ts) that hold the group's routes; the merged table
 * (shared/routes.ts) is the same lists, so a route is still defined once.
 */
export interface GroupRoutes<G extends FunctionGroupName, R extends RouteDefinition> {
  group: G;
  routes: readonly R[];
}

/** The routes of `group` among the given capability lists (a list may hold several groups' routes). */
export function groupRoutes<G extends FunctionGroupName, const L extends readonly (readonly RouteDefinition[])[]>(
  group: G,
  ...lists: L
): GroupRoutes<G, Extract<L[number][number], { group: G }>> {
  const routes = lists.flat().filter((route) => route.group === group);
  return { group, routes: routes as unknown as Extract<L[number][number], { group: G }>[] };
}

/**
 * The limit of an unauthenticated route: its own `limit`, else `public`. Routes with a session
 * are the resident's own (their password checks have per-account limits: `sessionPassword`);
 * signed bank callbacks (`csrfExempt`) come from a few bank addresses at the bank's pace and have
 * their own throttles at the gateway; `edge` routes are limited by the WAF only.
 */
export function addressLimitOf(route: RouteDefinition): AddressLimitName | undefined {
  if (route.auth || route.csrfExempt || route.limit === 'edge') return undefined;
  return route.limit ?? 'public';
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
