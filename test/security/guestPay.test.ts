import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invokeGroup } from '#local/lambda';
import { ACCOUNT_LIMITS, ADDRESS_LIMITS } from '#shared/limits/policy';
import { paymentsOf } from '#shared/payments/store';
import { findRoute, routeKey } from '#shared/routes';
import { httpEvent } from '#test/support/events';
import { importAccounts, type PaymentsStack, startPaymentsStack } from '#test/support/payments';

/**
 * Paying without login (`POST /api/pay`) as an attacker uses it: a solved challenge replayed for a
 * second payment, one address sweeping account numbers for owners' names, and one account flooded
 * with bank orders nobody pays. Requests reach the payments function as they do behind CloudFront,
 * from the address in `CloudFront-Viewer-Address`; each case has its own addresses and accounts.
 */

let stack: PaymentsStack;

beforeAll(async () => {
  // The sandbox bank answers register.do; the function runs in this process.
  stack = await startPaymentsStack();
  await importAccounts(['320001', '320002', '320003', '320004']);
});
afterAll(() => stack.stop());

interface Answer {
  status: number;
  json: { error?: { code: string; message: string; fields?: Record<string, string> } } & Record<string, unknown>;
  retryAfter: number | undefined;
}

async function from(address: string, method: string, path: string, body?: unknown): Promise<Answer> {
  const found = findRoute(method, path);
  if (!found) throw new Error(`no route ${method} ${path}`);
  const event = httpEvent(method, path, {
    routePath: found.route.path,
    headers: {
      'cloudfront-viewer-address': `${address}:${40000 + Math.floor(Math.random() * 20000)}`,
      'content-type': 'application/json',
      ...(method === 'GET' ? {} : { 'x-requested-with': 'XMLHttpRequest' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  event.routeKey = routeKey(found.route);
  event.requestContext.http.sourceIp = '130.176.0.1';
  const result = (await invokeGroup(found.route.group, event)) as APIGatewayProxyStructuredResultV2;
  const retry = result.headers?.['retry-after'];
  return {
    status: result.statusCode ?? 0,
    json: result.body ? JSON.parse(result.body) : {},
    retryAfter: retry === undefined ? undefined : Number(retry),
  };
}

async function solvedFrom(address: string) {
  const res = await from(address, 'GET', '/api/captcha');
  expect(res.status).toBe(200);
  return { captchaId: res.json.id as string, captchaAnswer: res.json.answer as string };
}

function expectRetryAfter(answer: Answer, atMost: number) {
  expect(answer.status).toBe(429);
  expect(answer.json.error?.code).toBe('too_many_attempts');
  expect(answer.json.error?.message).toMatch(/^Слишком много попыток/);
  expect(answer.retryAfter).toBeGreaterThan(0);
  expect(answer.retryAfter).toBeLessThanOrEqual(atMost);
}

describe('paying without login under attack', () => {
  it('takes a solved challenge once: the replay is refused and opens no second order', async () => {
    const address = '198.51.100.10';
    const solved = await solvedFrom(address);
    const first = await from(address, 'POST', '/api/pay', { account: '320001', amount: 10_000, ...solved });
    expect(first.status).toBe(201);
    const replay = await from(address, 'POST', '/api/pay', { account: '320001', amount: 10_000, ...solved });
    expect(replay.status).toBe(400);
    expect(replay.json.error?.code).toBe('invalid_captcha');
    // Nor does the same answer pass for another account.
    const elsewhere = await from(address, 'POST', '/api/pay', { account: '320004', amount: 10_000, ...solved });
    expect(elsewhere.json.error?.code).toBe('invalid_captcha');
    expect(await paymentsOf('320001', 10)).toHaveLength(1);
    expect(await paymentsOf('320004', 10)).toEqual([]);
  });

  it('limits one address sweeping account numbers, with Retry-After, while other addresses go on', async () => {
    const sweeper = '198.51.100.20';
    const { max, windowSeconds } = ADDRESS_LIMITS.credentials;
    // Junk challenges are the cheapest sweep; each request still counts before anything is checked.
    const sweep: Answer[] = [];
    for (let batch = 0; batch < max; batch += 25) {
      sweep.push(
        ...(await Promise.all(
          Array.from({ length: Math.min(25, max - batch) }, (_, i) =>
            from(sweeper, 'POST', '/api/pay', {
              account: String(500000 + batch + i),
              amount: 10_000,
              captchaId: 'x'.repeat(24),
              captchaAnswer: 'догадка',
            }),
          ),
        )),
      );
    }
    expect(sweep.filter((a) => a.status === 429)).toEqual([]);
    expect(new Set(sweep.map((a) => a.json.error?.code))).toEqual(new Set(['invalid_captcha']));
    // The next one, even with a solved challenge for a real account, is refused unseen.
    const next = await from(sweeper, 'POST', '/api/pay', {
      account: '320003',
      amount: 10_000,
      ...(await solvedFrom(sweeper)),
    });
    expectRetryAfter(next, windowSeconds);
    expect(await paymentsOf('320003', 10)).toEqual([]);
    // The sign-in forms share the class: the sweeper's login is refused too; another address is not.
    expectRetryAfter(
      await from(sweeper, 'POST', '/api/auth/login', { account: '320003', password: 'x' }),
      windowSeconds,
    );
    const other = await from('198.51.100.21', 'POST', '/api/pay', {
      account: '320003',
      amount: 10_000,
      ...(await solvedFrom('198.51.100.21')),
    });
    expect(other.status).toBe(201);
    expect(other.json.payer).toBe('Петрова А. С.');
  });

  it('caps the orders a stranger can open for one account, from any number of addresses', async () => {
    const { max, windowSeconds } = ACCOUNT_LIMITS.guestPayment;
    for (let i = 0; i < max; i++) {
      const address = `203.0.113.${i + 1}`;
      const res = await from(address, 'POST', '/api/pay', {
        account: '320002',
        amount: 100,
        ...(await solvedFrom(address)),
      });
      expect(res.status).toBe(201);
    }
    const address = '203.0.113.200';
    expectRetryAfter(
      await from(address, 'POST', '/api/pay', { account: '320002', amount: 100, ...(await solvedFrom(address)) }),
      windowSeconds,
    );
    expect(await paymentsOf('320002', 50)).toHaveLength(max);
  });
});
