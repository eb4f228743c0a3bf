import Decimal from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalQueues, startLocalQueues } from '#local/queue';
import {
  buildTown,
  expectedOctober,
  type Home,
  type Item,
  kop,
  ledgerItems,
  NOVEMBER_RUN_CLOCK,
  pinClock,
  putItems,
  readingItems,
  runOctober,
  TOWN,
  town,
} from '#test/support/billingTown';
import { runCli } from '#test/support/cli';

/**
 * November's run by the operator's CLI after October's run of the town (test/support/billingTown.ts),
 * with a late reading that recalculates October.
 */

const late = town[0] as Home; // 300001 skipped October's reading: billed by average
let queues: LocalQueues;

beforeAll(async () => {
  queues = startLocalQueues({ concurrency: 3, log: () => undefined });
  await buildTown();
  await runOctober(queues);
  // November's readings: 300001's consumption counts from September's value, covering October too.
  const november = readingItems(late, [['2026-11', 0]]).map((item) => ({
    ...item,
    consumption: new Decimal(item.consumption).times(2).toFixed(),
  }));
  await putItems(november);
  pinClock(NOVEMBER_RUN_CLOCK);
}, 120_000);

afterAll(() => queues.stop());

describe('the November run by the operator’s CLI, with a late reading', () => {
  it('refuses a month that has not ended, and a malformed one, before touching anything', async () => {
    const before = await ledgerItems();
    const open = await runCli(['billing', 'run', '--period', '2026-12']);
    expect(open.code).toBe(2);
    expect(open.stderr).toContain('ещё не закончился');
    const bad = await runCli(['billing', 'run', '--period', '2026-1']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('ГГГГ-ММ');
    expect(await ledgerItems()).toEqual(before);
  });

  it('bills November, recalculates October for the late reading, and a second run changes nothing', async () => {
    const first = await runCli(['billing', 'run']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('Начисления за Ноябрь 2026 (2026-11)');
    expect(first.stdout).toContain(`Лицевых счетов: ${TOWN}; начислено: ${TOWN}; уже были начислены: 0`);
    expect(first.stdout).toContain('Перерасчёты: по 1 сч.');

    const ledger = await ledgerItems();
    const recalc = ledger.find((i) => i.sk === 'LEDGER#2026-11#recalc#billing');
    expect(recalc?.account).toBe(late.account);
    const october = expectedOctober(late);
    // October's real volumes are half of November's reading: the base values.
    const actual = {
      cold_water: kop(late.cold, 40),
      hot_water: kop(late.hot, 200),
      electricity: kop(late.electricity, 6),
    };
    const byService = Object.fromEntries(recalc?.lines.map((l: Item) => [l.service, l]) ?? []);
    for (const [service, amount] of Object.entries(actual)) {
      expect(byService[service]).toMatchObject({
        forPeriod: '2026-10',
        method: 'meter',
        billedAmount: october[service],
        revisedAmount: amount,
        amount: amount - (october[service] ?? 0),
      });
    }
    expect(byService.wastewater).toMatchObject({
      forPeriod: '2026-10',
      amount: kop(late.cold.plus(late.hot), 30) - (october.wastewater ?? 0),
    });
    const novemberCharge = ledger.find((i) => i.sk === 'LEDGER#2026-11#charge#billing' && i.account === late.account);
    expect(novemberCharge?.lines.find((l: Item) => l.service === 'cold_water')).toMatchObject({
      method: 'meter',
      volume: late.cold.toFixed(),
    });

    const second = await runCli(['billing', 'run', '--period', '2026-11']);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain(`начислено: 0; уже были начислены: ${TOWN}`);
    expect(await ledgerItems()).toEqual(ledger);

    const status = await runCli(['billing', 'status', '--period', '2026-11']);
    expect(status.code).toBe(0);
    expect(status.stdout.match(/Начисления за Ноябрь 2026/g)).toHaveLength(2);
  });
});
