import type { Challenge } from 'altcha-lib';
import { solveChallenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/pbkdf2';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invokeGroup } from '#local/lambda';
import { CAPTCHA_COUNTER, encodePayload } from '#shared/accounts/captcha';
import { ACCOUNT_LIMITS, ADDRESS_LIMITS } from '#shared/limits/policy';
import { importRegistry } from '#shared/registry/importRegistry';
import { findRoute, routeKey } from '#shared/routes';
import { httpEvent } from '#test/support/events';
import { type Client, startTestGateway } from '#test/support/http';
import { captcha, PASSWORD, registeredResident } from '#test/support/residents';

/**
 * Brute force and abuse from issue 11, replayed against the real handlers: parallel password
 * guesses that read-then-check throttling let through, unlimited passport guesses, one address
 * sweeping many accounts, and a captcha a script read from its SVG. Each case has its own
 * accounts and, where addresses matter, its own addresses, so no case depends on another's
 * counters or order.
 */

const HEADER = 'account;owner;passport;address;area;residents';
const ACCOUNTS = Array.from({ length: 12 }, (_, i) => ({
  account: String(330001 + i),
  passport: `1406 ${String(500001 + i)}`,
  email: `limits${i + 1}@example.ru`,
}));
const row = (a: (typeof ACCOUNTS)[number], i: number) =>
  `${a.account};Житель Проверочный ${i + 1};${a.passport};г. Старый Оскол, мкр. Жукова, д. ${i + 1}, кв. 1;40,0;1`;
const resident = (n: number) => ACCOUNTS[n - 1] as (typeof ACCOUNTS)[number];

let client: Client;

beforeAll(async () => {
  ({ client } = await startTestGateway());
  const report = await importRegistry('accounts', Buffer.from([HEADER, ...ACCOUNTS.map(row)].join('\n')));
  expect(report.errors).toEqual([]);
});
afterAll(() => client.stop());

interface Answer {
  status: number;
  json: { error?: { code: string; message: string } } & Record<string, unknown>;
  retryAfter: number | undefined;
}

/**
 * A request as it reaches the function behind CloudFront, from `address`: the viewer's address in
 * `CloudFront-Viewer-Address`, the socket's (CloudFront's edge) in the request context.
 */
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

/** A solved captcha fetched from `address` (test mode hands the solution over with it). */
async function captchaFrom(address: string) {
  const res = await from(address, 'GET', '/api/captcha');
  expect(res.status).toBe(200);
  return { captchaId: res.json.id as string, captchaAnswer: res.json.answer as string };
}

const countOf = (answers: Answer[], status: number) => answers.filter((a) => a.status === status).length;

function expectRetryAfter(answer: Answer, atMost: number) {
  expect(answer.status).toBe(429);
  expect(answer.json.error?.code).toBe('too_many_attempts');
  expect(answer.retryAfter).toBeGreaterThan(0);
  expect(answer.retryAfter).toBeLessThanOrEqual(atMost);
}

describe('login guessing', () => {
  it('30 parallel wrong passwords, each with a solved captcha from its own address: at most 10 are evaluated', async () => {
    const { account, passport, email } = resident(1);
    await registeredResident(client, account, passport, email);
    const addresses = Array.from({ length: 30 }, (_, i) => `203.0.113.${i + 1}`);
    const captchas = await Promise.all(addresses.map((address) => captchaFrom(address)));
    const answers = await Promise.all(
      addresses.map((address, i) =>
        from(address, 'POST', '/api/auth/login', { account, password: `догадка ${i}`, ...captchas[i] }),
      ),
    );
    expect(countOf(answers, 401)).toBeLessThanOrEqual(ACCOUNT_LIMITS.login.max);
    expect(countOf(answers, 200)).toBe(0);
    expect(countOf(answers, 401) + countOf(answers, 428) + countOf(answers, 429)).toBe(30);
    for (const refused of answers.filter((a) => a.status === 429)) {
      expectRetryAfter(refused, ACCOUNT_LIMITS.login.windowSeconds);
    }
    // Ten failures lock the account for a while: even the right password waits.
    const owner = await from('198.18.0.1', 'POST', '/api/auth/login', {
      account,
      password: PASSWORD,
      ...(await captchaFrom('198.18.0.1')),
    });
    expectRetryAfter(owner, ACCOUNT_LIMITS.login.windowSeconds);
    expect(owner.json.error?.message).toMatch(/мин/);
  });

  it('30 parallel guesses without a captcha: 3 are evaluated, the rest wait for a captcha, and the resident is not locked out', async () => {
    const { account, passport, email } = resident(2);
    await registeredResident(client, account, passport, email);
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        from(`203.0.114.${i + 1}`, 'POST', '/api/auth/login', { account, password: `догадка ${i}` }),
      ),
    );
    expect(countOf(answers, 401)).toBeLessThanOrEqual(ACCOUNT_LIMITS.login.captchaAfter);
    expect(countOf(answers, 428) + countOf(answers, 429)).toBeGreaterThanOrEqual(
      30 - ACCOUNT_LIMITS.login.captchaAfter,
    );
    for (const refused of answers.filter((a) => a.status === 429)) expect(refused.retryAfter).toBeGreaterThan(0);
    // Requests that never got their password checked do not count: the resident logs in.
    const owner = await from('198.18.0.2', 'POST', '/api/auth/login', {
      account,
      password: PASSWORD,
      ...(await captchaFrom('198.18.0.2')),
    });
    expect(owner.status).toBe(200);
  });
});

describe('registration guessing', () => {
  it('the 6th attempt within an hour after 5 wrong passports is refused, even with the right passport', async () => {
    const { account, passport, email } = resident(3);
    for (let i = 0; i < ACCOUNT_LIMITS.registration.max; i++) {
      const res = await from('203.0.115.1', 'POST', '/api/auth/register', {
        account,
        passport: `1406 99990${i}`,
        email,
        consent: true,
        ...(await captchaFrom('203.0.115.1')),
      });
      expect(res.status).toBe(422);
      expect(res.json.error?.code).toBe('data_mismatch');
    }
    const right = await from('203.0.115.2', 'POST', '/api/auth/register', {
      account,
      passport,
      email,
      consent: true,
      ...(await captchaFrom('203.0.115.2')),
    });
    expectRetryAfter(right, ACCOUNT_LIMITS.registration.lockSeconds);
    expect(right.retryAfter).toBeGreaterThan(ACCOUNT_LIMITS.registration.lockSeconds - 60);
  });

  it('parallel passport guesses get no more than 5 answers that could confirm one', async () => {
    const { account, email } = resident(4);
    const addresses = Array.from({ length: 12 }, (_, i) => `203.0.116.${i + 1}`);
    const captchas = await Promise.all(addresses.map((address) => captchaFrom(address)));
    const answers = await Promise.all(
      addresses.map((address, i) =>
        from(address, 'POST', '/api/auth/register', {
          account,
          passport: `1406 88880${i}`,
          email,
          consent: true,
          ...captchas[i],
        }),
      ),
    );
    expect(countOf(answers, 422)).toBeLessThanOrEqual(ACCOUNT_LIMITS.registration.max);
    expect(countOf(answers, 429)).toBeGreaterThanOrEqual(addresses.length - ACCOUNT_LIMITS.registration.max);
    for (const refused of answers.filter((a) => a.status === 429)) expect(refused.retryAfter).toBeGreaterThan(0);
  });
});

describe('recovery and the no-login readings page', () => {
  it('recovery requests per account are limited, matching or not', async () => {
    const { account, email } = resident(5);
    const answers: Answer[] = [];
    for (let i = 0; i <= ACCOUNT_LIMITS.recovery.max; i++) {
      const address = `203.0.117.${i + 1}`;
      answers.push(
        await from(address, 'POST', '/api/auth/recover', { account, email, ...(await captchaFrom(address)) }),
      );
    }
    expect(answers.slice(0, -1).map((a) => a.status)).toEqual(Array(ACCOUNT_LIMITS.recovery.max).fill(202));
    expectRetryAfter(answers.at(-1) as Answer, ACCOUNT_LIMITS.recovery.windowSeconds);
  });

  it('the no-login readings start is limited per account', async () => {
    const { account } = resident(6);
    const answers: Answer[] = [];
    for (let i = 0; i <= ACCOUNT_LIMITS.quickReadings.max; i++) {
      const address = `203.0.118.${i + 1}`;
      answers.push(
        await from(address, 'POST', '/api/readings/quick/start', { account, ...(await captchaFrom(address)) }),
      );
    }
    expect(answers.slice(0, -1).map((a) => a.status)).toEqual(Array(ACCOUNT_LIMITS.quickReadings.max).fill(200));
    expectRetryAfter(answers.at(-1) as Answer, ACCOUNT_LIMITS.quickReadings.windowSeconds);
  });
});

describe('a session guessing the password behind it', () => {
  it('gets 5 wrong current passwords on the e-mail and password forms together, then a lock — the right one too', async () => {
    const { account, passport, email } = resident(9);
    const browser = await registeredResident(client, account, passport, email);
    const changeEmail = (currentPassword: string) =>
      browser.request('POST', '/api/profile/email', { body: { email: `new-${email}`, currentPassword } });
    const wrong = await Promise.all(Array.from({ length: 3 }, (_, i) => changeEmail(`не тот пароль ${i}`)));
    expect(wrong.map((r) => r.status)).toEqual([401, 401, 401]);
    for (let i = 0; i < 2; i++) {
      const res = await browser.request('POST', '/api/profile/password', {
        body: {
          oldPassword: `снова не тот ${i}`,
          newPassword: 'новый длинный пароль жителя',
        },
      });
      expect(res.status).toBe(403);
    }
    const locked = await changeEmail(PASSWORD);
    expect(locked.status).toBe(429);
    expect(locked.json.error.code).toBe('too_many_attempts');
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(ACCOUNT_LIMITS.sessionPassword.lockSeconds - 60);
    // Nothing changed: the address is the old one.
    expect((await browser.request('GET', '/api/profile')).json.email).toBe(email);
  });
});

describe('one address across many accounts', () => {
  it('is limited on the sign-in forms whatever the accounts, while other addresses go on', async () => {
    const sweeper = '192.0.2.50';
    const { max, windowSeconds } = ADDRESS_LIMITS.credentials;
    // Recovery with a junk captcha is the cheapest request of the class: each still counts.
    const sweep: Answer[] = [];
    for (let batch = 0; batch < max; batch += 25) {
      sweep.push(
        ...(await Promise.all(
          Array.from({ length: Math.min(25, max - batch) }, (_, i) =>
            from(sweeper, 'POST', '/api/auth/recover', {
              account: String(400000 + batch + i),
              email: 'sweep@example.ru',
              captchaId: 'x'.repeat(24),
              captchaAnswer: 'догадка',
            }),
          ),
        )),
      );
    }
    expect(countOf(sweep, 429)).toBe(0);
    // The next sign-in form from that address, for yet another account, is refused unseen.
    const next = await from(sweeper, 'POST', '/api/auth/login', { account: '499999', password: 'x' });
    expectRetryAfter(next, windowSeconds);
    // Another address in the same IPv6 /64 is the same client; a different client is not limited.
    const v6 = '2001:db8:abcd:12::1';
    for (let i = 0; i < max; i++) {
      await from(i % 2 ? v6 : '2001:db8:abcd:12:ffff::7', 'POST', '/api/auth/recover', {
        account: '400001',
        email: 'sweep@example.ru',
        captchaId: 'x'.repeat(24),
        captchaAnswer: 'x',
      });
    }
    expectRetryAfter(
      await from('2001:db8:abcd:12:1:2:3:4', 'POST', '/api/auth/login', { account: '499999', password: 'x' }),
      windowSeconds,
    );
    const other = await from('192.0.2.51', 'POST', '/api/auth/login', { account: '499999', password: 'x' });
    expect(other.status).toBe(401);
  });

  it('cannot be dodged by sending a CloudFront-Viewer-Address header to the gateway', async () => {
    const limited = '192.0.2.60';
    const { max } = ADDRESS_LIMITS.captcha;
    await Promise.all(Array.from({ length: max }, () => from(limited, 'GET', '/api/captcha')));
    expectRetryAfter(await from(limited, 'GET', '/api/captcha'), ADDRESS_LIMITS.captcha.windowSeconds);
    // Through the local gateway (CloudFront's stand-in) the header is the socket's, not the client's.
    const forged = await client.request('GET', '/api/captcha', {
      headers: { 'CloudFront-Viewer-Address': `${limited}:443` },
    });
    expect(forged.status).toBe(200);
  });
});

describe('the captcha', () => {
  it('has nothing to read: a payload made without the work is refused, the solved one is taken', async () => {
    const res = await client.request('GET', '/api/captcha');
    expect(res.status).toBe(200);
    expect(res.text).not.toMatch(/<svg|<path/);
    const challenge = res.json.challenge as Challenge;
    expect(challenge.parameters.algorithm).toBe('PBKDF2/SHA-256');

    // The old attack read each digit's path letters; here the only readable thing is the prefix
    // the answer's key starts with, and a key is no answer without the counter that derives it.
    const forged = encodePayload({
      challenge,
      solution: { counter: 0, derivedKey: String(challenge.parameters.keyPrefix).padEnd(64, '0') },
    });
    const { account, passport, email } = resident(7);
    const withForged = await client.request('POST', '/api/auth/register', {
      body: { account, passport, email, consent: true, captchaId: res.json.id, captchaAnswer: forged },
    });
    expect(withForged.status).toBe(400);
    expect(withForged.json.error.code).toBe('invalid_captcha');

    // Doing the work: thousands of PBKDF2 derivations, then the form goes through.
    const fresh = await client.request('GET', '/api/captcha');
    const solution = await solveChallenge({ challenge: fresh.json.challenge as Challenge, deriveKey });
    expect(solution?.counter).toBeGreaterThanOrEqual(CAPTCHA_COUNTER.min);
    const solved = encodePayload({ challenge: fresh.json.challenge as Challenge, solution: solution as never });
    const registered = await client.request('POST', '/api/auth/register', {
      body: { account, passport, email, consent: true, captchaId: fresh.json.id, captchaAnswer: solved },
    });
    expect(registered.status).toBe(202);
    // Single use: the same solution again is refused.
    const again = await client.request('POST', '/api/auth/recover', {
      body: { account, email, captchaId: fresh.json.id, captchaAnswer: solved },
    });
    expect(again.status).toBe(400);
  });

  it('still hands tests a working answer in test mode', async () => {
    const { account, passport, email } = resident(8);
    const res = await client.request('POST', '/api/auth/register', {
      body: { account, passport, email, consent: true, ...(await captcha(client)) },
    });
    expect(res.status).toBe(202);
  });
});
