import { performance } from 'node:perf_hooks';
import { hashPassword } from '#shared/accounts/passwords';
import { importRegistry } from '#shared/registry/importRegistry';
import { httpEvent, lambdaContext } from '../test/support/events.ts';
import { record } from './figures.ts';
import { countRoundTrips, ms, percentile } from './support.ts';

type Result = { statusCode: number; body?: string; cookies?: string[] };

/**
 * Login and register through the real `auth` handler, in-process, against DynamoDB Local and the
 * SES emulator: latency p50/p95, DynamoDB round trips per request, argon2id cost per hash.
 */
export async function benchAccounts(): Promise<void> {
  const { handler } = await import('#functions/auth/index');
  const call = async (method: string, path: string, body?: unknown) =>
    (await handler(
      httpEvent(method, path, {
        headers: { 'content-type': 'application/json', 'x-requested-with': 'XMLHttpRequest' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
      lambdaContext,
    )) as Result;

  const N = 40;
  const rows = ['account;owner;passport;address;area;residents'];
  for (let i = 0; i < N; i++) {
    rows.push(`${700000 + i};Житель ${i};14${String(i).padStart(2, '0')} ${String(100000 + i)};г. Старый Оскол;50;2`);
  }
  const report = await importRegistry('accounts', Buffer.from(rows.join('\n')));
  if (report.errors.length) throw new Error(`bench import failed: ${JSON.stringify(report.errors[0])}`);

  const hashTimes: number[] = [];
  for (let i = 0; i < 10; i++) {
    const t0 = performance.now();
    await hashPassword(`bench password ${i}`);
    hashTimes.push(performance.now() - t0);
  }

  const trips = countRoundTrips();
  const registerTimes: number[] = [];
  const registerTrips: number[] = [];
  const { getTokenForBench } = await tokenReader();
  const password = 'длинная фраза для бенчмарка';
  for (let i = 0; i < N; i++) {
    const captcha = JSON.parse((await call('GET', '/api/captcha')).body ?? '{}');
    trips.reset();
    const t0 = performance.now();
    const res = await call('POST', '/api/auth/register', {
      account: String(700000 + i),
      passport: `14${String(i).padStart(2, '0')} ${String(100000 + i)}`,
      email: `bench${i}@example.ru`,
      consent: true,
      captchaId: captcha.id,
      captchaAnswer: captcha.answer,
    });
    registerTimes.push(performance.now() - t0);
    registerTrips.push(trips.count());
    if (res.statusCode !== 202) throw new Error(`register answered ${res.statusCode}: ${res.body}`);
    const token = await getTokenForBench(String(700000 + i));
    const confirmed = await call('POST', '/api/auth/confirm', { token, password });
    if (confirmed.statusCode !== 200) throw new Error(`confirm answered ${confirmed.statusCode}: ${confirmed.body}`);
  }

  const loginTimes: number[] = [];
  const loginTrips: number[] = [];
  for (let i = 0; i < N; i++) {
    trips.reset();
    const t0 = performance.now();
    const res = await call('POST', '/api/auth/login', { account: String(700000 + i), password });
    loginTimes.push(performance.now() - t0);
    loginTrips.push(trips.count());
    if (res.statusCode !== 200) throw new Error(`login answered ${res.statusCode}: ${res.body}`);
  }
  const failTimes: number[] = [];
  for (let i = 0; i < 2; i++) {
    const t0 = performance.now();
    await call('POST', '/api/auth/login', { account: String(700000 + i), password: 'wrong' });
    failTimes.push(performance.now() - t0);
  }

  record('accounts', 'register round trips', Math.max(...registerTrips));
  record('accounts', 'login round trips', Math.max(...loginTrips));
  record('accounts', 'register p50 ms', Number(ms(percentile(registerTimes, 50))));
  record('accounts', 'login p50 ms', Number(ms(percentile(loginTimes, 50))));
  record('accounts', 'argon2id hash p50 ms', Number(ms(percentile(hashTimes, 50))));
  console.log('\nAccounts (in-process handler, DynamoDB Local + SES emulator)');
  console.table([
    {
      what: 'argon2id hash (m=19 MiB, t=2, p=1)',
      n: hashTimes.length,
      'p50 ms': ms(percentile(hashTimes, 50)),
      'p95 ms': ms(percentile(hashTimes, 95)),
      'DynamoDB round trips': '—',
    },
    {
      what: 'POST /api/auth/register (captcha, registry check, token, mail)',
      n: N,
      'p50 ms': ms(percentile(registerTimes, 50)),
      'p95 ms': ms(percentile(registerTimes, 95)),
      'DynamoDB round trips': Math.max(...registerTrips),
    },
    {
      what: 'POST /api/auth/login (correct password)',
      n: N,
      'p50 ms': ms(percentile(loginTimes, 50)),
      'p95 ms': ms(percentile(loginTimes, 95)),
      'DynamoDB round trips': Math.max(...loginTrips),
    },
    {
      what: 'POST /api/auth/login (wrong password)',
      n: failTimes.length,
      'p50 ms': ms(percentile(failTimes, 50)),
      'p95 ms': ms(percentile(failTimes, 95)),
      'DynamoDB round trips': '—',
    },
  ]);
}

/** Reads the registration link the handler mailed, from the SES emulator. */
async function tokenReader() {
  const ses = process.env.RAC_SES_ENDPOINT;
  return {
    getTokenForBench: async (account: string): Promise<string> => {
      const store = (await (await fetch(`${ses}/store`)).json()) as {
        emails: Array<{ destination: { to: string[] }; body: { text?: string } }>;
      };
      const index = Number(account) - 700000;
      const mail = store.emails.filter((e) => e.destination.to.includes(`bench${index}@example.ru`)).at(-1);
      const token = /token=([A-Za-z0-9_-]+)/.exec(mail?.body.text ?? '')?.[1];
      if (!token) throw new Error(`no registration mail for ${account}`);
      return token;
    },
  };
}
