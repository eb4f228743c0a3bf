import { createHash } from 'node:crypto';
import http from 'node:http';
import { ScanCommand, type ScanCommandOutput } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOpenApi } from '#shared/api/openapi';
import { db, tableName } from '#shared/clients/dynamo';
import { bankSignature } from '#shared/payments/banks';
import { importRegistry } from '#shared/registry/importRegistry';
import {
  BANK_KEY,
  importAccounts,
  PASSWORD,
  type PaymentsStack,
  residentWithCabinet,
  signedCallback,
  startPaymentsStack,
} from '#test/support/payments';

/**
 * Junk for every route of the published API (/api/openapi.json), through the local gateway as a
 * client would send it: path parameters with malformed %-escapes and Object.prototype's names,
 * query values of the wrong shape (years 0000 and 1000 among them), bodies that are not JSON, of
 * the wrong type, with fields missing, mistyped, huge, or in odd Unicode; with and without a
 * resident's session, bank requests correctly signed around junk so it reaches the parser. Every
 * answer must be below 500, and a refused request must leave the table as it was.
 *
 * Runs are reproducible: each route's requests come from a seed derived from its name
 * (FUZZ_SEED=<n> shifts them all). FUZZ_RUNS sets the requests per route (default 200).
 */

const RUNS = Number(process.env.FUZZ_RUNS ?? 200);
const SEED_SHIFT = Number(process.env.FUZZ_SEED ?? 0);
const CONCURRENCY = Number(process.env.FUZZ_CONCURRENCY ?? 24);
const ACCOUNT = '600001';

type JsonSchema = {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  example?: unknown;
};

interface Operation {
  method: string;
  /** OpenAPI path under the server prefix, e.g. `/banks/{bank}/check`. */
  path: string;
  pathParams: string[];
  query: Array<{ name: string; schema: JsonSchema }>;
  body?: JsonSchema;
  auth: boolean;
}

interface JunkRequest {
  method: string;
  /** Raw request target: path and query exactly as sent. */
  target: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** The source address (a loopback address of its own, as distinct clients). */
  from: string;
}

interface Answer {
  request: JunkRequest;
  status: number;
  text: string;
}

let stack: PaymentsStack;
type OpenApiDocument = {
  servers?: Array<{ url: string }>;
  paths: Record<string, Record<string, any>>;
  components?: any;
};

/**
 * The document the API publishes, built by the same function that serves /api/openapi.json (so the
 * routes are known when the tests are collected); the first test checks that the served one is it.
 */
const document = buildOpenApi() as OpenApiDocument;
let sessionCookie = '';
let port = 0;

// ---------------------------------------------------------------------------------------------
// Sending: node:http with the raw target (fetch would normalise `%E0` and `..` away) and a chosen
// loopback source address, so per-address limits see many clients, as in real traffic.

const agents = new Map<string, http.Agent>();

/** One keep-alive agent per source address: connections are reused, each from its own address. */
function agentFor(from: string): http.Agent {
  let agent = agents.get(from);
  if (!agent) {
    agent = new http.Agent({ keepAlive: true, localAddress: from });
    agents.set(from, agent);
  }
  return agent;
}

function send(request: JunkRequest): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: request.method,
        path: request.target,
        headers: { ...request.headers, ...(request.body ? { 'content-length': String(request.body.length) } : {}) },
        agent: agentFor(request.from),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ request, status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8').slice(0, 400) }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(request.body);
  });
}

async function sendAll(requests: readonly JunkRequest[]): Promise<Answer[]> {
  const answers: Answer[] = new Array(requests.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < requests.length; i = next++) answers[i] = await send(requests[i] as JunkRequest);
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return answers;
}

// ---------------------------------------------------------------------------------------------
// What a refused request must not change: every item of the table but the bookkeeping of
// attempts — limit counters (LIMIT#…), the login guard, sessions (their last-seen time) and
// captcha challenges (used up by a wrong answer, by design), SMS codes and login-code challenges
// (a wrong code takes one of their five tries, by design).

const BOOKKEEPING = (item: Record<string, unknown>) =>
  String(item.pk).startsWith('LIMIT#') ||
  String(item.pk).startsWith('CAPTCHA#') ||
  String(item.sk).startsWith('SESSION#') ||
  String(item.sk).startsWith('SMS_CODE#') ||
  item.sk === 'LOGIN_GUARD';

async function tableState(): Promise<{ count: number; hash: string }> {
  const lines: string[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page: ScanCommandOutput = await db().send(
      new ScanCommand({ TableName: tableName(), ...(start ? { ExclusiveStartKey: start } : {}) }),
    );
    for (const item of page.Items ?? []) {
      if (BOOKKEEPING(item)) continue;
      lines.push(JSON.stringify(Object.fromEntries(Object.entries(item).sort(([a], [b]) => a.localeCompare(b)))));
    }
    start = page.LastEvaluatedKey;
  } while (start);
  lines.sort();
  return { count: lines.length, hash: createHash('sha256').update(lines.join('\n')).digest('hex') };
}

// ---------------------------------------------------------------------------------------------
// Junk generators.

const deref = (schema: JsonSchema): JsonSchema => {
  if (!schema.$ref) return schema;
  const name = schema.$ref.replace('#/components/schemas/', '');
  return deref(document.components?.schemas?.[name] ?? {});
};

/** Values a careless or hostile client sends where a field is expected. */
const junkValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    null,
    true,
    0,
    -1,
    1e308,
    -0,
    '',
    ' ',
    '__proto__',
    'constructor',
    'toString',
    '0000-01',
    '1000-01',
    '1999-12',
    '9999-12',
    '2026-13',
    '2026-00',
    '1e9',
    '-3',
    'NaN',
    'Infinity',
    '١٢٣٤٥٦',
    '１００００１',
    '100001\n',
    ' 100001',
    '100001\u0000',
    '\u202e100001',
    '𝟏𝟎𝟎𝟎𝟎𝟏',
    '<script>alert(1)</script>',
    "' OR 1=1 --",
    '{"$ne":null}',
    '../../etc/passwd',
    '%E0',
    'Ⅻ',
    'x'.repeat(100_000),
  ),
  fc.integer(),
  fc.double({ noNaN: true }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.array(fc.jsonValue(), { maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue(), { maxKeys: 4 }),
);

/** A value the schema describes (roughly): the starting point that junk is then made from. */
function fromSchema(raw: JsonSchema, depth = 0): fc.Arbitrary<unknown> {
  const schema = deref(raw);
  if (depth > 4) return fc.constant(null);
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum?.length) return fc.constantFrom(...schema.enum);
  const choices = schema.anyOf ?? schema.oneOf;
  if (choices?.length) return fc.oneof(...choices.map((c) => fromSchema(c, depth + 1)));
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'string': {
      const patterns = [schema.pattern, ...(schema.allOf ?? []).map((s) => s.pattern)].filter(Boolean) as string[];
      const base = patterns.length
        ? fc.stringMatching(new RegExp(patterns[patterns.length - 1] as string))
        : fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 30, 60) });
      return schema.example === undefined ? base : fc.oneof(fc.constant(schema.example), base);
    }
    case 'integer':
      return fc.integer({ min: schema.minimum ?? -1_000, max: schema.maximum ?? 100_000_000 });
    case 'number':
      return fc.double({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e9, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(fromSchema(schema.items ?? {}, depth + 1), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.min(schema.maxItems ?? 3, 3),
      });
    case 'object': {
      const properties = schema.properties ?? {};
      const record: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [name, property] of Object.entries(properties)) record[name] = fromSchema(property, depth + 1);
      return fc.record(record, { requiredKeys: (schema.required ?? []).filter((k) => k in properties) });
    }
    default:
      if (schema.example !== undefined) return fc.constant(schema.example);
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** A body built from the schema, then broken: a field dropped, mistyped or added, or left as is. */
function brokenObject(schema: JsonSchema): fc.Arbitrary<unknown> {
  return fc
    .tuple(fromSchema(schema), fc.nat(), junkValue, fc.constantFrom('drop', 'mistype', 'add', 'keep', 'mistype'))
    .map(([value, pick, junk, how]) => {
      if (!value || typeof value !== 'object' || Array.isArray(value)) return value;
      const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
      const names = Object.keys(deref(schema).properties ?? {});
      const name = names.length ? (names[pick % names.length] as string) : 'extra';
      if (how === 'drop') delete copy[name];
      else if (how === 'mistype') copy[name] = junk;
      else if (how === 'add') copy[`x${pick % 7}`] = junk;
      return copy;
    });
}

/** Bodies as bytes: most parse as JSON, many do not, some are not even UTF-8. */
function junkBody(schema: JsonSchema | undefined): fc.Arbitrary<Buffer> {
  const json = (a: fc.Arbitrary<unknown>) => a.map((v) => Buffer.from(JSON.stringify(v) ?? 'null', 'utf8'));
  return fc.oneof(
    { weight: 5, arbitrary: json(schema ? brokenObject(schema) : fc.jsonValue()) },
    { weight: 2, arbitrary: json(fc.jsonValue({ maxDepth: 3 })) },
    {
      weight: 2,
      arbitrary: fc
        .constantFrom(
          '',
          '{',
          '{"a":',
          '[1,2',
          'null',
          'undefined',
          '"text"',
          '{"__proto__":{"admin":true},"account":"100001"}',
          '{"constructor":{"prototype":{"polluted":1}}}',
          '\uFEFF{}',
          '{"amount":1e400}',
          '{"amount":"NaN"}',
          `${'['.repeat(4_000)}${']'.repeat(4_000)}`,
          `{"a":"${'x'.repeat(300_000)}"}`,
          'account=100001&password=x',
        )
        .map((t) => Buffer.from(t, 'utf8')),
    },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)) },
  );
}

/** A path segment as sent on the wire (already escaped, or deliberately badly escaped). */
const junkSegment: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '%E0',
    '%',
    '%zz',
    '%C0%AF',
    '%00',
    '..',
    '%2e%2e',
    '%2F',
    '__proto__',
    'constructor',
    'prototype',
    '%u0041',
    'a%',
    '%F0%9F%92%A9',
    '0000-01',
    '1000-01',
    '9999-12',
    '2026-13',
    'sberbank%00',
    'SBERBANK',
    '%73berbank',
    'x'.repeat(4_000),
  ),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }).map(encodeURIComponent),
);

/** Good values for path parameters, so that some requests reach the handler's own checks. */
const GOOD_SEGMENT: Record<string, fc.Arbitrary<string>> = {
  bank: fc.constant('sberbank'),
  period: fc.constantFrom('2026-10', '2025-01', '2000-01'),
  id: fc.constantFrom(`${ACCOUNT}-0mhxyz1230a1b2c3d4e`, '100001-0mhxyz1230a1b2c3d4e'),
};

const queryValue: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('0000-01', '1000-01', '1999-12', '2000-01', '2016-01', '2026-10', '9999-12', '2026-1', '', 'x'),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
);

function junkRequest(op: Operation, prefix: string): fc.Arbitrary<JunkRequest> {
  const segments = op.pathParams.map((name) =>
    fc.oneof({ weight: 1, arbitrary: GOOD_SEGMENT[name] ?? junkSegment }, { weight: 1, arbitrary: junkSegment }),
  );
  const query = fc.oneof(
    fc.constant(''),
    fc
      .tuple(
        ...op.query.map((q) =>
          fc.option(fc.oneof(queryValue, fromSchema(q.schema).map(String)), { nil: undefined }).map((v) => [q.name, v]),
        ),
        fc.option(fc.tuple(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 })), { nil: undefined }),
      )
      .map((pairs) => {
        const params = new URLSearchParams();
        for (const pair of pairs) if (pair?.[1] !== undefined) params.append(String(pair[0]), String(pair[1]));
        return params.toString();
      }),
    fc.constantFrom('from=%E0', 'from=2020-01&from=2021-01', '&&&', '=%', 'to=%zz&from=0000-01', 'mdOrder=x&checksum='),
  );
  const hasBody = !['GET', 'HEAD'].includes(op.method);
  return fc
    .record({
      segments: fc.tuple(...segments),
      query,
      body: hasBody ? junkBody(op.body) : fc.constant(undefined),
      csrf: fc.integer({ min: 0, max: 9 }).map((n) => n < 8),
      contentType: fc.constantFrom(
        'application/json',
        'application/json',
        'application/json',
        'application/json',
        'application/json; charset=koi8-r',
        'text/plain',
        'application/x-www-form-urlencoded',
        'application/octet-stream',
        '',
      ),
      session: fc.constantFrom('own', 'own', 'own', 'none', 'forged'),
      sign: fc.integer({ min: 0, max: 3 }).map((n) => n > 0),
    })
    .map(({ segments: values, query: q, body, csrf, contentType, session, sign }) => {
      let i = 0;
      const path = `${prefix}${op.path.replace(/\{\w+\}/g, () => values[i++] as string)}`;
      const headers: Record<string, string> = {};
      if (csrf) headers['x-requested-with'] = 'XMLHttpRequest';
      if (contentType && body) headers['content-type'] = contentType;
      if (session === 'own' && sessionCookie) headers.cookie = sessionCookie;
      if (session === 'forged') headers.cookie = '__Host-rac_session=eyJhbGciOiJub25lIn0.eyJzdWIiOiIxMDAwMDEifQ.';
      let sentBody = body;
      let target = q ? `${path}?${q}` : path;
      // Signed around the junk, so it gets past the signature to the parser.
      if (sign && op.path.startsWith('/banks/') && body) {
        const timestamp = String(Math.floor(Date.now() / 1000));
        const rawBody = body.toString('utf8');
        headers['x-rac-timestamp'] = timestamp;
        headers['x-rac-signature'] = bankSignature(BANK_KEY, { timestamp, method: op.method, path, rawBody });
        sentBody = Buffer.from(rawBody, 'utf8');
      }
      if (sign && op.path === '/webhooks/sber') {
        const params = Object.fromEntries(new URLSearchParams(q));
        const callback = signedCallback(params).toString();
        if (op.method === 'GET') target = `${path}?${callback}`;
        else {
          sentBody = Buffer.from(callback, 'utf8');
          headers['content-type'] = 'application/x-www-form-urlencoded';
        }
      }
      return { method: op.method, target, headers, ...(sentBody ? { body: sentBody } : {}), from: '127.0.0.1' };
    });
}

function seedOf(name: string): number {
  return (createHash('sha256').update(name).digest().readUInt32BE(0) + SEED_SHIFT) | 0;
}

// ---------------------------------------------------------------------------------------------

function operations(): Operation[] {
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries(document.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const parameters = (op.parameters ?? []) as Array<{ name: string; in: string; schema: JsonSchema }>;
      ops.push({
        method: method.toUpperCase(),
        path,
        pathParams: parameters.filter((p) => p.in === 'path').map((p) => p.name),
        query: parameters.filter((p) => p.in === 'query').map((p) => ({ name: p.name, schema: p.schema })),
        ...(op.requestBody?.content?.['application/json']?.schema
          ? { body: op.requestBody.content['application/json'].schema as JsonSchema }
          : {}),
        auth: Array.isArray(op.security) && op.security.length > 0,
      });
    }
  }
  return ops;
}

let served: unknown;

beforeAll(async () => {
  stack = await startPaymentsStack();
  port = Number(new URL(stack.url).port);
  await importAccounts([ACCOUNT]);
  const meters = ['account;meter;service;reading;verified_until', `${ACCOUNT};ФЗ-1;cold_water;10;2031-01-01`];
  expect((await importRegistry('meters', Buffer.from(meters.join('\n')))).errors).toEqual([]);
  const resident = await residentWithCabinet(stack, ACCOUNT);
  sessionCookie = [...resident.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  const res = await stack.client.request('GET', '/api/openapi.json');
  expect(res.status).toBe(200);
  served = res.json;
});
afterAll(async () => {
  for (const agent of agents.values()) agent.destroy();
  await stack?.stop();
});

/** Junk to logout may end the resident's session; log in again so every route is fuzzed with one. */
async function keepSession(): Promise<void> {
  const me = await send({ method: 'GET', target: '/api/me', headers: { cookie: sessionCookie }, from: '127.0.0.1' });
  if (me.status === 200) return;
  const browser = stack.client.fork();
  const login = await browser.request('POST', '/api/auth/login', { body: { account: ACCOUNT, password: PASSWORD } });
  expect(login.status).toBe(200);
  sessionCookie = [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
}

const OPERATIONS = operations();

describe('the bad inputs that once answered 500 or a flood', () => {
  const get = (target: string) =>
    send({ method: 'GET', target, headers: { cookie: sessionCookie }, from: '127.0.0.1' });

  it('refuses periods before 2000 and ranges over 10 years after the defaults: 400, not 500 or 12 000 rows', async () => {
    await keepSession();
    for (const route of ['/api/statement', '/api/statement/csv', '/api/statement/charges', '/api/statement/payments']) {
      for (const query of ['from=0000-01', 'from=1000-01', 'from=1999-12', 'to=0000-01', 'from=2000-01']) {
        const res = await get(`${route}?${query}`);
        expect(res.status, `${route}?${query}`).toBe(400);
        expect(JSON.parse(res.text).error.fields.from ?? JSON.parse(res.text).error.fields.to).toMatch(/2000|10 лет/);
      }
      expect((await get(`${route}?from=2020-01`)).status).toBe(200);
    }
    for (const query of ['from=0000-01', 'from=1000-01', 'to=0999-12', 'from=2000-01']) {
      expect((await get(`/api/readings?${query}`)).status, `/api/readings?${query}`).toBe(400);
    }
    expect((await get('/api/readings?from=2020-01')).status).toBe(200);
  });

  it('answers a malformed %-escape in a path parameter 404', async () => {
    for (const target of ['/api/banks/%E0/check', '/api/banks/%/payments', '/api/payments/%E0', '/api/epd/%zz']) {
      const method = target.startsWith('/api/banks/') ? 'POST' : 'GET';
      const res = await send({
        method,
        target,
        headers: { cookie: sessionCookie, 'x-requested-with': 'XMLHttpRequest', 'content-type': 'application/json' },
        body: Buffer.from('{"account":"600001"}'),
        from: '127.0.0.1',
      });
      expect(res.status, target).toBe(404);
      expect(JSON.parse(res.text).error.code).toBe('not_found');
    }
  });
});

describe('junk to every route of /api/openapi.json', () => {
  it('fuzzes the document the API serves, every route of it', () => {
    expect(served).toEqual(JSON.parse(JSON.stringify(document)));
    expect(OPERATIONS.length).toBeGreaterThanOrEqual(30);
    expect(OPERATIONS.map((o) => `${o.method} ${o.path}`)).toContain('POST /banks/{bank}/check');
  });

  it.each(OPERATIONS.map((op, index) => [`${op.method} ${op.path}`, op, index] as const))(
    '%s: no answer ≥ 500, refused requests change nothing',
    async (name, op, routeIndex) => {
      await keepSession();
      const prefix = document.servers?.[0]?.url?.replace(/\/$/, '') ?? '/api';
      const requests = fc.sample(junkRequest(op, prefix), { numRuns: RUNS, seed: seedOf(name) });
      // A few distinct clients per route, each staying under the per-address limits.
      requests.forEach((r, index) => {
        r.from = `127.${10 + routeIndex}.${Math.floor(index / 25)}.${(index % 25) + 2}`;
      });
      const before = await tableState();
      const answers = await sendAll(requests);
      const after = await tableState();
      const failures: string[] = [];
      for (const answer of answers) {
        if (answer.status >= 500 || answer.status === 0) {
          const { method, target } = answer.request;
          failures.push(`${answer.status} for ${method} ${target.slice(0, 200)} → ${answer.text}`);
        }
      }
      const refused = answers.filter((a) => a.status >= 400);
      if (refused.length === answers.length || op.method === 'GET') {
        // GETs change nothing, answered or not; a batch refused whole must not have either.
        if (before.hash !== after.hash) {
          failures.push(`refused requests changed the table (${before.count} → ${after.count} items)`);
        }
      } else {
        // Some junk was valid enough to be taken: check refused ones one by one instead.
        for (const [i, answer] of refused.slice(0, 20).entries()) {
          const one = await tableState();
          const again = await send({ ...answer.request, from: `127.200.${routeIndex}.${i + 2}` });
          const then = await tableState();
          if (again.status >= 400 && one.hash !== then.hash) {
            failures.push(
              `a refused ${answer.request.method} ${answer.request.target.slice(0, 120)} changed the table`,
            );
          }
        }
      }
      expect(failures).toEqual([]);
      // Deep enough to matter: most junk got past the session and CSRF checks to the input's own.
      expect(answers.filter((a) => a.status !== 401 && a.status !== 403).length).toBeGreaterThan(RUNS / 4);
    },
  );
});
