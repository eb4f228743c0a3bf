import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import httpSecurityHeaders from '@middy/http-security-headers';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import * as z from 'zod/mini';
import { type GroupRoutes, type RouteDefinition, routeKey } from '#shared/api/route';
import { DomainError } from '#shared/errors';
import type { FunctionGroupName } from '#shared/functions';
import { requireRequestedWith } from '#shared/http/csrf';
import { contractErrorHandler } from '#shared/http/errorHandler';
import { requireCloudFront } from '#shared/http/origin';
import { limitSourceAddress } from '#shared/limits/sourceAddress';
import { logger } from '#shared/logger';
import type { ROUTES } from '#shared/routes';

export interface ApiRequest<
  Body = unknown,
  Query = Record<string, string | undefined>,
  Params extends Record<string, string> = Record<string, string>,
> {
  event: APIGatewayProxyEventV2;
  body: Body;
  query: Query;
  params: Params;
  /** Routes with `rawBody: true`: the body as sent, decoded to text ('' when none); else undefined. */
  rawBody?: string;
  /**
   * The cabinet's own account on routes with `auth: true` (checked before the handler runs): for
   * what belongs to the login (profile, password, e-mail, phone, sessions, support).
   */
  account: string;
  sessionId: string;
  /**
   * The account the resident acts on: `account`, or a linked account they switched to
   * (docs/accounts.md#several-accounts-under-one-login): for the account's data (meters, readings,
   * statement, payments, ЕПД). Empty on routes without a session.
   */
  current: string;
}

export interface HttpApiOptions {
  /** Resolves the session of a request; required when the group serves `auth: true` routes. */
  authenticate?: (event: APIGatewayProxyEventV2) => Promise<{ account: string; sessionId: string; current?: string }>;
  /**
   * Counts a request against its source address before anything else runs (throws 429 past the
   * limit). `httpApi` sets the per-address limits of shared/limits; bare `httpRoutes` has none.
   */
  limitSource?: (route: RouteDefinition, event: APIGatewayProxyEventV2) => Promise<void>;
  /**
   * Whether a path is some route's, for a request that matches none of this group's: 405 when
   * it is (another method), else 404. Only the group behind API Gateway's `$default` route sees
   * such requests (`system`); absent, every unmatched request is a 404.
   */
  knownPath?: (path: string) => boolean | Promise<boolean>;
}

export interface ApiResult {
  status?: number;
  body?: unknown;
  /** Non-JSON bodies (a PDF): the raw payload, base64 when binary. */
  raw?: { contentType: string; body: string; isBase64Encoded?: boolean };
  headers?: Record<string, string>;
  cookies?: string[];
}

type AnyRoute = (typeof ROUTES)[number];
/** The routes the merged route table (shared/routes.ts) gives a function group. */
export type GroupRoute<G extends FunctionGroupName> = Extract<AnyRoute, { group: G }>;

type KeyOfRoute<R> = R extends { method: infer M extends string; path: infer P extends string } ? `${M} ${P}` : never;
type PathParamNames<P> = P extends `${string}{${infer N}}${infer Rest}` ? N | PathParamNames<Rest> : never;
type BodyOf<R> = R extends { rawBody: true }
  ? undefined
  : R extends { body: infer B extends z.core.$ZodType }
    ? z.output<B>
    : unknown;
type QueryOf<R> = R extends { query: infer Q extends z.core.$ZodType }
  ? z.output<Q>
  : Record<string, string | undefined>;
type ParamsOf<R> = R extends { path: infer P } ? Record<PathParamNames<P>, string> : Record<string, string>;

/** What a route's handler receives: its body and query as its zod schemas output them, its path parameters by name. */
export type RequestOf<R> = ApiRequest<BodyOf<R>, QueryOf<R>, ParamsOf<R>>;

export type RouteHandler<R = RouteDefinition> = (request: RequestOf<R>) => Promise<ApiResult> | ApiResult;

/** One handler for each route of the list, keyed `METHOD /path`: a route without a handler does not compile. */
export type HandlersOf<R> = { [Route in R as KeyOfRoute<Route>]: RouteHandler<Route> };

/** Zod issues become `fields` of a 400 `invalid_input`, each with a Russian message. */
export function parseOrThrow<S extends z.core.$ZodType>(schema: S, value: unknown): z.output<S> {
  const parsed = z.safeParse(schema, value);
  if (parsed.success) return parsed.data;
  const fields: Record<string, string> = {};
  for (const issue of parsed.error.issues) {
    const name = issue.path.join('.') || '_';
    fields[name] ??= issue.message;
  }
  throw DomainError.of('invalid_input', { fields });
}

function shape(route: RouteDefinition, result: ApiResult): APIGatewayProxyStructuredResultV2 {
  const headers: Record<string, string> = { 'cache-control': 'no-store', ...result.headers };
  const response: APIGatewayProxyStructuredResultV2 = {
    statusCode: result.status ?? route.success.status,
    headers,
  };
  if (result.raw) {
    headers['content-type'] = result.raw.contentType;
    response.body = result.raw.body;
    response.isBase64Encoded = result.raw.isBase64Encoded ?? false;
  } else if (result.body !== undefined) {
    headers['content-type'] = 'application/json; charset=utf-8';
    response.body = JSON.stringify(result.body);
  }
  if (result.cookies?.length) response.cookies = result.cookies;
  return response;
}

/** The body as sent: API Gateway base64-encodes bodies it does not take for text. */
export function decodedBody(event: APIGatewayProxyEventV2): string {
  if (event.body === undefined || event.body === null) return '';
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
}

type KeysOf<R> = R extends unknown ? KeyOfRoute<R> : never;

/**
 * A group table that leaves out a route the merged table gives the group does not compile: the
 * error names `missingRoutes` (add the capability list to shared/api/groups/<group>.ts).
 */
type CoversGroup<G extends FunctionGroupName, R> = [Exclude<GroupRoute<G>, R>] extends [never]
  ? unknown
  : { missingRoutes: KeysOf<Exclude<GroupRoute<G>, R>> };

/**
 * A function group's HTTP entry, typed by its route table (shared/api/groups/<group>.ts): exactly
 * the group's routes, each handler seeing its own route's body, query and path parameters. The
 * table is the group's own, so the bundle carries only its routes' schemas.
 */
export function httpApi<G extends FunctionGroupName, R extends RouteDefinition>(
  table: GroupRoutes<G, R> & CoversGroup<G, R>,
  handlers: NoInfer<HandlersOf<R>>,
  options: HttpApiOptions = {},
) {
  return httpRoutes(table.routes, handlers, { limitSource: limitSourceAddress, ...options });
}

/**
 * The Middy stack every HTTP function shares: header normalisation, the X-Requested-With check,
 * JSON body parsing (only when a body was sent, and not on `rawBody` routes), security headers and
 * the one error handler.
 * Routes are dispatched by API Gateway's routeKey; request parts are validated with the route's
 * zod schemas before the route handler runs. Every route needs a handler (checked when built).
 */
export function httpRoutes<const R extends RouteDefinition>(
  routes: readonly R[],
  handlers: NoInfer<HandlersOf<R>>,
  options: HttpApiOptions = {},
) {
  const byName = handlers as unknown as Record<string, RouteHandler | undefined>;
  const { authenticate, limitSource, knownPath } = options;
  for (const route of routes) {
    if (!byName[routeKey(route)]) throw new Error(`${routeKey(route)} has no handler`);
    if (route.auth && !authenticate) {
      throw new Error(`${routeKey(route)} needs a session but the group has no authenticate()`);
    }
  }
  const byKey = new Map<string, RouteDefinition>(routes.map((r) => [routeKey(r), r]));
  const routeOf = (event: APIGatewayProxyEventV2) => byKey.get(event.routeKey);
  const parseJson = httpJsonBodyParser();
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(httpHeaderNormalizer())
    .use(requireCloudFront())
    .use(requireRequestedWith((event) => routeOf(event)?.csrfExempt === true))
    .use({
      before: async (request) => {
        const body = request.event.body;
        if (routeOf(request.event)?.rawBody) return;
        if (body !== undefined && body !== '' && parseJson.before) await parseJson.before(request as never);
      },
    })
    .use(httpSecurityHeaders())
    .use(contractErrorHandler())
    .handler(async (event) => {
      const route = routeOf(event);
      // API Gateway's `$default` route brings every unmatched request here: a known path with
      // another method is a 405, anything else a 404, both in the contract's shape.
      if (!route) {
        const known = knownPath ? await knownPath(event.rawPath) : false;
        throw DomainError.of(known ? 'method_not_allowed' : 'not_found');
      }
      const handle = byName[routeKey(route)] as RouteHandler;
      if (limitSource) await limitSource(route, event);
      // The session is checked before input validation: a stranger learns nothing about the input.
      const session = route.auth && authenticate ? await authenticate(event) : undefined;
      const query = route.query
        ? parseOrThrow(route.query, event.queryStringParameters ?? {})
        : (event.queryStringParameters ?? {});
      const parsed: unknown = event.body === '' || route.rawBody ? undefined : event.body;
      const body = route.body && !route.rawBody ? parseOrThrow(route.body, parsed ?? {}) : parsed;
      const result = await handle({
        event,
        body,
        query,
        params: event.pathParameters ?? {},
        ...(route.rawBody ? { rawBody: decodedBody(event) } : {}),
        account: session?.account ?? '',
        sessionId: session?.sessionId ?? '',
        current: session?.current ?? session?.account ?? '',
      } as RequestOf<RouteDefinition>);
      return shape(route, result);
    });
}
