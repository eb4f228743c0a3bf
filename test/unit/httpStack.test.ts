import { beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
// Sets zod's Russian messages, as every route table of the app does by importing its schemas; the
// echo routes below use zod directly, so without it the messages depend on which test ran first.
import '#shared/api/schemas';
import { DomainError, ERRORS } from '#shared/errors';
import { httpRoutes } from '#shared/http/api';
import type { RouteDefinition } from '#shared/routes';
import { httpEvent, lambdaContext } from '#test/support/events';

const routes = [
  {
    method: 'POST',
    path: '/api/echo',
    group: 'system',
    summary: 'echo',
    tag: 'test',
    auth: false,
    body: z.object({
      account: z.string().check(z.regex(/^\d{6}$/, 'Номер лицевого счёта — 6 цифр')),
      amount: z.number().check(z.int()),
    }),
    success: { status: 201 },
  },
  {
    method: 'GET',
    path: '/api/items/{id}',
    group: 'system',
    summary: 'item',
    tag: 'test',
    auth: false,
    query: z.object({ from: z.optional(z.string()) }),
    success: { status: 200 },
  },
  {
    method: 'GET',
    path: '/api/boom',
    group: 'system',
    summary: 'boom',
    tag: 'test',
    auth: false,
    success: { status: 200 },
  },
  {
    method: 'GET',
    path: '/api/refuse',
    group: 'system',
    summary: 'refuse',
    tag: 'test',
    auth: false,
    success: { status: 200 },
  },
  {
    method: 'POST',
    path: '/api/webhooks/test',
    group: 'system',
    summary: 'hook',
    tag: 'test',
    auth: false,
    csrfExempt: true,
    success: { status: 200 },
  },
] as const satisfies readonly RouteDefinition[];

let calls: unknown[] = [];
const handler = httpRoutes(routes, {
  'POST /api/echo': ({ body }) => {
    calls.push(body);
    return { body };
  },
  'GET /api/items/{id}': ({ params, query }) => ({ body: { id: params.id, from: query.from ?? null } }),
  'GET /api/boom': () => {
    throw new Error('secret database detail');
  },
  'GET /api/refuse': () => {
    throw DomainError.of('concurrent_change');
  },
  'POST /api/webhooks/test': () => ({ body: { ok: true } }),
});

const json = { 'Content-Type': 'application/json', 'X-Requested-With': 'XMLHttpRequest' };

async function call(event: ReturnType<typeof httpEvent>) {
  const res = (await handler(event, lambdaContext)) as {
    statusCode: number;
    body?: string;
    headers?: Record<string, string>;
  };
  return { ...res, json: res.body ? JSON.parse(res.body) : undefined };
}

describe('the HTTP handler stack', () => {
  beforeAll(() => {
    process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  });

  it('parses, validates and answers with the route success status', async () => {
    calls = [];
    const res = await call(
      httpEvent('POST', '/api/echo', { headers: json, body: '{"account":"100001","amount":500}' }),
    );
    expect(res.statusCode).toBe(201);
    expect(res.json).toEqual({ account: '100001', amount: 500 });
    expect(res.headers?.['X-Frame-Options']).toBe('DENY');
  });

  it('refuses a state-changing request without X-Requested-With before the handler runs', async () => {
    calls = [];
    const res = await call(
      httpEvent('POST', '/api/echo', {
        headers: { 'content-type': 'application/json' },
        body: '{"account":"100001","amount":1}',
      }),
    );
    expect(res.statusCode).toBe(403);
    expect(res.json.error.code).toBe('csrf');
    expect(calls).toEqual([]);
  });

  it('lets bank webhooks through without the header', async () => {
    const res = await call(httpEvent('POST', '/api/webhooks/test', { headers: {}, body: '' }));
    expect(res.statusCode).toBe(200);
  });

  it('answers malformed JSON with a Russian 400 and no side effect', async () => {
    calls = [];
    const res = await call(httpEvent('POST', '/api/echo', { headers: json, body: '{"account":' }));
    expect(res.statusCode).toBe(400);
    expect(res.json.error.code).toBe('invalid_json');
    expect(res.json.error.message).toMatch(/JSON/);
    expect(calls).toEqual([]);
  });

  it('answers a non-JSON content type with 415', async () => {
    const res = await call(
      httpEvent('POST', '/api/echo', { headers: { ...json, 'Content-Type': 'text/plain' }, body: 'hello' }),
    );
    expect(res.statusCode).toBe(415);
    expect(res.json.error.code).toBe('unsupported_media_type');
  });

  it('names each invalid field in Russian', async () => {
    const res = await call(httpEvent('POST', '/api/echo', { headers: json, body: '{"account":"12","amount":1.5}' }));
    expect(res.statusCode).toBe(400);
    expect(res.json.error.code).toBe('invalid_input');
    expect(res.json.error.fields.account).toBe('Номер лицевого счёта — 6 цифр');
    expect(res.json.error.fields.amount).toMatch(/[а-я]/);
  });

  it('passes path and query parameters', async () => {
    const res = await call(
      httpEvent('GET', '/api/items/42', { routePath: '/api/items/{id}', query: { from: '2026-01' } }),
    );
    const event = httpEvent('GET', '/api/items/42', { routePath: '/api/items/{id}', query: { from: '2026-01' } });
    event.pathParameters = { id: '42' };
    const withParams = await call(event);
    expect(res.statusCode).toBe(200);
    expect(withParams.json).toEqual({ id: '42', from: '2026-01' });
  });

  it('maps domain errors to their status and code', async () => {
    const res = await call(httpEvent('GET', '/api/refuse'));
    expect(res.statusCode).toBe(409);
    expect(res.json).toEqual({ error: { code: 'concurrent_change', message: ERRORS.concurrent_change.message } });
  });

  it('never leaks the cause of a 500', async () => {
    const res = await call(httpEvent('GET', '/api/boom'));
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('secret');
    expect(res.json.error.code).toBe('internal');
  });
});

describe('routes that need a session', () => {
  const authRoutes = [
    {
      method: 'POST',
      path: '/api/private',
      group: 'system',
      summary: 'private',
      tag: 'test',
      auth: true,
      body: z.object({ value: z.number() }),
      success: { status: 200 },
    },
  ] as const satisfies readonly RouteDefinition[];
  const seen: string[] = [];
  const guarded = httpRoutes(
    authRoutes,
    {
      'POST /api/private': ({ account, body }) => {
        seen.push(account);
        return { body: { account, value: body.value } };
      },
    },
    {
      authenticate: async (event) => {
        if (!event.cookies?.includes('session=ok')) throw DomainError.of('unauthorized');
        return { account: '100001', sessionId: 's1' };
      },
    },
  );

  it('answer 401 before looking at the input, and pass the account to the handler', async () => {
    const anonymous = (await guarded(
      httpEvent('POST', '/api/private', { headers: json, body: '{"value":"not a number"}' }),
      lambdaContext,
    )) as { statusCode: number; body: string };
    expect(anonymous.statusCode).toBe(401);
    expect(JSON.parse(anonymous.body).error.code).toBe('unauthorized');
    const event = httpEvent('POST', '/api/private', { headers: json, body: '{"value":7}' });
    event.cookies = ['session=ok'];
    const ok = (await guarded(event, lambdaContext)) as { statusCode: number; body: string };
    expect(JSON.parse(ok.body)).toEqual({ account: '100001', value: 7 });
    expect(seen).toEqual(['100001']);
  });

  it('refuse to build a group that serves private routes without an authenticator', () => {
    expect(() => httpRoutes(authRoutes, { 'POST /api/private': () => ({}) })).toThrow(/needs a session/);
  });
});

describe('API Gateway’s $default route (every unmatched /api request)', () => {
  it('answers an unknown path with 404 and a known path with another method with 405, in the contract shape', async () => {
    const { handler: system } = await import('#functions/system/index');
    const unknown = httpEvent('GET', '/api/nope', { routePath: '' });
    unknown.routeKey = '$default';
    const wrongMethod = httpEvent('PUT', '/api/health', { headers: { 'x-requested-with': 'XMLHttpRequest' } });
    wrongMethod.routeKey = '$default';
    const a = (await system(unknown, lambdaContext)) as { statusCode: number; body: string };
    const b = (await system(wrongMethod, lambdaContext)) as { statusCode: number; body: string };
    expect([a.statusCode, JSON.parse(a.body).error.code]).toEqual([404, 'not_found']);
    expect([b.statusCode, JSON.parse(b.body).error.code]).toEqual([405, 'method_not_allowed']);
  });
});
