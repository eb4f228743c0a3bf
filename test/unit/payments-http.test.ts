import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { httpRoutes } from '#shared/http/api';
import type { RouteDefinition } from '#shared/routes';
import { httpEvent, lambdaContext } from '#test/support/events';

/** The stack's `rawBody` routes: signed webhooks get the exact text they were sent, unparsed. */
const routes = [
  {
    method: 'POST',
    path: '/api/webhooks/raw',
    group: 'payments',
    summary: 'raw',
    tag: 'test',
    auth: false,
    csrfExempt: true,
    rawBody: true,
    body: z.object({ never: z.literal('checked here') }),
    success: { status: 200 },
  },
  {
    method: 'POST',
    path: '/api/json',
    group: 'payments',
    summary: 'json',
    tag: 'test',
    auth: false,
    csrfExempt: true,
    success: { status: 200 },
  },
] as const satisfies readonly RouteDefinition[];

const seen: Array<{ rawBody: string | undefined; body: unknown }> = [];
const handler = httpRoutes(routes, {
  'POST /api/webhooks/raw': ({ rawBody, body }) => {
    seen.push({ rawBody, body });
    return { body: { ok: true } };
  },
  'POST /api/json': ({ rawBody, body }) => ({ body: { rawBody: rawBody ?? null, body } }),
});

async function call(event: ReturnType<typeof httpEvent>) {
  const res = (await handler(event, lambdaContext)) as { statusCode: number; body?: string };
  return { status: res.statusCode, json: res.body ? JSON.parse(res.body) : undefined };
}

describe('rawBody routes', () => {
  it('hand a form body over as text, without the JSON parser (no 415) and without the body schema', async () => {
    seen.length = 0;
    const form = 'mdOrder=a&status=1&checksum=ABC';
    const res = await call(
      httpEvent('POST', '/api/webhooks/raw', {
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form,
      }),
    );
    expect(res.status).toBe(200);
    expect(seen).toEqual([{ rawBody: form, body: undefined }]);
  });

  it('undo API Gateway’s base64 and pass an empty body as ""', async () => {
    seen.length = 0;
    const text = 'operation=deposited&амount=кириллица';
    const event = httpEvent('POST', '/api/webhooks/raw', {
      headers: { 'content-type': 'application/octet-stream' },
      body: Buffer.from(text).toString('base64'),
    });
    event.isBase64Encoded = true;
    expect((await call(event)).status).toBe(200);
    expect((await call(httpEvent('POST', '/api/webhooks/raw', { headers: {} }))).status).toBe(200);
    expect(seen.map((s) => s.rawBody)).toEqual([text, '']);
  });

  it('leave other routes as they were: JSON parsed, a form refused with 415', async () => {
    const json = await call(
      httpEvent('POST', '/api/json', { headers: { 'content-type': 'application/json' }, body: '{"a":1}' }),
    );
    expect(json.json).toEqual({ rawBody: null, body: { a: 1 } });
    const form = await call(
      httpEvent('POST', '/api/json', { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1' }),
    );
    expect(form.status).toBe(415);
  });
});
