import { writeFile } from 'node:fs/promises';
import http from 'node:http';
import { Session } from 'node:inspector/promises';
import { performance } from 'node:perf_hooks';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { startGateway } from '#local/gateway';
import { freePort } from '#local/ports';
import { openSession } from '#shared/accounts/sessions';
import { db, tableName } from '#shared/clients/dynamo';
import { meterIdOf } from '#shared/readings/meterId';
import { submissionPeriod } from '#shared/readings/period';
import { setWindow } from '#shared/window/windowStore';
import { httpEvent, lambdaContext } from '../test/support/events.ts';
import { imported, putReadingHistory } from '../test/support/fixtures.ts';
import { record } from './figures.ts';
import { countRoundTrips, ms, percentile } from './support.ts';

type Result = { statusCode: number; body?: string };

/** Accounts of the latency rows; the burst's residents are others, each submitting once a round. */
const ACCOUNTS = 60;
const BURST_ACCOUNTS = 240;
const FIRST = 810000;
const SERIALS = ['COLD', 'HOT', 'EL'] as const;
const SERVICES = { COLD: 'cold_water', HOT: 'hot_water', EL: 'electricity' } as const;

/**
 * Meter readings: POST /api/readings through the real `readings` handler in-process against
 * DynamoDB Local (latency p50/p95 and DynamoDB round trips per submission, counted by a middleware
 * on the document client), then a bounded burst through the local gateway on loopback (requests/s).
 * DynamoDB Local is a single JVM on this machine: the figures compare code paths, not AWS.
 */
export async function benchReadings(): Promise<void> {
  const everyone = Array.from({ length: ACCOUNTS + BURST_ACCOUNTS }, (_, i) => String(FIRST + i));
  const accounts = everyone.slice(0, ACCOUNTS);
  const residents = everyone.slice(ACCOUNTS);
  const imports = {
    accounts: ['account;owner;passport;address;area;residents'],
    meters: ['account;meter;service;reading;verified_until'],
    tariffs: ['service;unit;price;norm;from', 'cold_water;м³;35,12;3,8;2025-07', 'hot_water;м³;214,56;3,01;2025-07'],
  };
  imports.tariffs.push('electricity;кВт·ч;6,61;88;2025-07');
  for (const [i, account] of everyone.entries()) {
    imports.accounts.push(
      `${account};Житель ${i};15${String(i % 100).padStart(2, '0')} ${200000 + i};г. Старый Оскол;50;2`,
    );
    for (const s of SERIALS) imports.meters.push(`${account};${account}-${s};${SERVICES[s]};100;2035-12-31`);
  }
  for (const kind of ['tariffs', 'accounts', 'meters'] as const) await imported(kind, imports[kind]);
  const window = await setWindow(true, 'operator');
  // Three earlier months of 3 units a month per meter: the usual case, with a consumption history.
  const period = submissionPeriod(window);
  for (const account of everyone) {
    await putReadingHistory(
      account,
      SERIALS.map((s) => ({ serial: `${account}-${s}`, service: SERVICES[s] })),
      period,
    );
  }
  const cookies = new Map<string, string>();
  for (const account of everyone) {
    const { cookie } = await openSession(account);
    cookies.set(account, cookie.split(';')[0] as string);
  }

  const { handler } = await import('#functions/readings/index');
  const call = async (account: string, method: string, path: string, body?: unknown) =>
    (await handler(
      {
        ...httpEvent(method, path, {
          headers: { 'content-type': 'application/json', 'x-requested-with': 'XMLHttpRequest' },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        }),
        cookies: [cookies.get(account) as string],
      },
      lambdaContext,
    )) as Result;
  const page = (account: string, value: (serial: string) => string) => ({
    readings: SERIALS.map((s) => ({ meterId: meterIdOf(`${account}-${s}`), value: value(s) })),
  });

  const trips = countRoundTrips();
  const measure = async (label: string, path: string, method: string, body: (account: string) => unknown) => {
    const times: number[] = [];
    const roundTrips: number[] = [];
    for (const account of accounts) {
      trips.reset();
      const t0 = performance.now();
      const res = await call(account, method, path, body(account));
      times.push(performance.now() - t0);
      roundTrips.push(trips.count());
      if (res.statusCode >= 300) throw new Error(`${label} answered ${res.statusCode}: ${res.body}`);
    }
    return {
      what: label,
      n: times.length,
      'p50 ms': ms(percentile(times, 50)),
      'p95 ms': ms(percentile(times, 95)),
      'DynamoDB round trips': `${Math.min(...roundTrips)}..${Math.max(...roundTrips)}`,
    };
  };

  const rows = [
    await measure('GET /api/meters (3 meters with history)', '/api/meters', 'GET', () => undefined),
    await measure('POST /api/readings, 3 meters, first in the window', '/api/readings', 'POST', (a) =>
      page(a, (s) => (s === 'EL' ? '111' : '110,5')),
    ),
    await measure('POST /api/readings, 3 meters, resubmission (replace + history)', '/api/readings', 'POST', (a) =>
      page(a, (s) => (s === 'EL' ? '112' : '111')),
    ),
    await measure('POST /api/readings, same values again (no-op)', '/api/readings', 'POST', (a) =>
      page(a, (s) => (s === 'EL' ? '112' : '111')),
    ),
  ];

  // A burst through the local gateway: 240 other residents, 16 requests in flight.
  const gateway = await startGateway({ port: await freePort(), siteDir: 'web/dist' });
  const url = gateway.url.replace('localhost', '127.0.0.1');
  const BURST = residents.length;
  const CONCURRENCY = 16;
  const ROUNDS = 3;
  const latencies: number[] = [];
  let failures = 0;
  let firstFailure: string | undefined;
  /**
   * One round: each of `who` submits its three meters once, at `value` — the month's first values
   * in the first round, then a correction each round, as residents do on the window's last evening
   * (one page each, now and then corrected), not one resident's page over and over.
   */
  const burst = async (who: readonly string[], value: number): Promise<number> => {
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < who.length) {
          const account = who[next++] as string;
          const started = performance.now();
          // Confirmed, as a resident answers the «больше обычного» question when asked.
          const body = { readings: page(account, () => String(value)).readings.map((r) => ({ ...r, confirm: true })) };
          const answer = await post(`${url}/api/readings`, JSON.stringify(body), {
            'content-type': 'application/json',
            'x-requested-with': 'XMLHttpRequest',
            cookie: cookies.get(account) as string,
          });
          latencies.push(performance.now() - started);
          if (answer.status !== 201) {
            failures++;
            firstFailure ??= `${answer.status} ${answer.body.slice(0, 300)}`;
          }
        }
      }),
    );
    return who.length / ((performance.now() - t0) / 1000);
  };
  // DynamoDB Local is a JVM: its transaction and query paths speed up for a while after it starts
  // (a floor measured right after the burst read up to 1.6× the one just before). So both paths are
  // warmed first, untimed, and then floor and burst take turns, each round's burst judged against
  // the mean of the floors on either side of it; the median round is the figure (the machine is
  // shared: one round alone swings).
  await bareTransactionRate(BURST, CONCURRENCY);
  await burst(accounts, 113);
  await burst(accounts, 114);
  latencies.length = 0;
  failures = 0;
  const floors: number[] = [await bareTransactionRate(BURST, CONCURRENCY)];
  const rates: number[] = [];
  const profiler = await startProfile();
  let cpuMicros = 0;
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const cpu0 = process.cpuUsage();
      rates.push(await burst(residents, 112 + round));
      const cpu = process.cpuUsage(cpu0);
      cpuMicros += cpu.user + cpu.system;
      floors.push(await bareTransactionRate(BURST, CONCURRENCY));
    }
  } finally {
    clientAgent.destroy();
    await gateway.stop();
  }
  // This process's CPU per submission: the client's request, the gateway, the handler and its two
  // DynamoDB calls (DynamoDB Local is another process).
  const cpuMs = cpuMicros / 1000 / (BURST * ROUNDS);
  await profiler?.();
  const ratios = rates.map((r, i) => r / (((floors[i] as number) + (floors[i + 1] as number)) / 2));
  const middle = [...ratios.keys()].sort((a, b) => (ratios[a] as number) - (ratios[b] as number))[
    Math.floor(ROUNDS / 2)
  ] as number;
  const rate = rates[middle] as number;
  const floor = ((floors[middle] as number) + (floors[middle + 1] as number)) / 2;

  console.log('\nReadings (in-process `readings` handler, DynamoDB Local; session check included)');
  console.table(rows);
  console.log(
    `Burst through the local gateway (loopback, ${CONCURRENCY} in flight, ${ROUNDS} rounds of ${BURST} residents submitting 3 meters: the first values, then corrections): ` +
      `${rate.toFixed(0)} requests/s (median round; rounds ${rates.map((r) => r.toFixed(0)).join(', ')}), p50 ${ms(percentile(latencies, 50))} ms, ` +
      `p95 ${ms(percentile(latencies, 95))} ms, non-201 answers: ${failures}; ` +
      `${ms(cpuMs)} ms of this process's CPU per submission (client, gateway, handler)`,
  );
  if (firstFailure) console.log(`The first non-201 answer: ${firstFailure}`);
  console.log(
    `Floor: bare two-item TransactWriteItems, ${CONCURRENCY} in flight, same DynamoDB Local: ` +
      `${floor.toFixed(0)}/s around the median round (floors in turn: ${floors.map((f) => f.toFixed(0)).join(', ')}); ` +
      `burst ${(rate / floor).toFixed(2)}× the floor (rounds ${ratios.map((r) => r.toFixed(2)).join(', ')}; goal ≥ 0.5×, no non-201 answers)`,
  );
  for (const row of rows) record('readings', `roundTrips ${row.what}`, row['DynamoDB round trips']);
  record('readings', 'burst requests/s', Number(rate.toFixed(1)));
  record('readings', 'burst p50 ms', Number(ms(percentile(latencies, 50))));
  record('readings', 'burst p95 ms', Number(ms(percentile(latencies, 95))));
  record('readings', 'burst non-201 answers', failures);
  record('readings', 'burst node CPU ms per submission', Number(ms(cpuMs)));
  record('readings', 'floor bare 2-item transactions/s', Number(floor.toFixed(1)));
  record('readings', 'burst ratio to floor', Number((rate / floor).toFixed(3)));
  record('readings', 'burst ratio to floor, each round', ratios.map((r) => Number(r.toFixed(3))).join(' '));
}

/**
 * The residents' side of the burst: plain HTTP/1.1 over kept-alive connections, one per request in
 * flight. The residents' browsers are not on the server; a lean client leaves this process's CPU
 * (shared with DynamoDB Local on the same cores) to the gateway and the handler, which are measured
 * (fetch took about 1 ms more of it per request).
 */
const clientAgent = new http.Agent({ keepAlive: true, maxSockets: 16 });

function post(url: string, body: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: 'POST', agent: clientAgent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * `BENCH_CPU_PROFILE=file.cpuprofile`: a CPU profile of this process during the burst (the gateway
 * and the handler; DynamoDB Local is another process), for Chrome DevTools or speedscope.
 */
async function startProfile(): Promise<(() => Promise<void>) | undefined> {
  const file = process.env.BENCH_CPU_PROFILE;
  if (!file) return undefined;
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return async () => {
    const { profile } = await session.post('Profiler.stop');
    await writeFile(file, JSON.stringify(profile));
    session.disconnect();
    console.log(`CPU profile of the burst: ${file}`);
  };
}

/**
 * The floor of the burst: bare two-item TransactWriteItems (a reading's put and an update: what a
 * month's first value of one meter writes, with the account's readings lock) through the same
 * document client, `concurrency` in flight.
 */
async function bareTransactionRate(count: number, concurrency: number): Promise<number> {
  const run = `${Date.now()}`;
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const n = next++;
        const pk = `BENCH_FLOOR#${run}#${n % 60}`;
        await db().send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: { TableName: tableName(), Item: { pk, sk: `READING#${n}`, value: String(n) } } },
              {
                Update: {
                  TableName: tableName(),
                  Key: { pk, sk: 'METER' },
                  UpdateExpression: 'ADD readingRev :one',
                  ExpressionAttributeValues: { ':one': 1 },
                },
              },
            ],
          }),
        );
      }
    }),
  );
  return count / ((performance.now() - t0) / 1000);
}
