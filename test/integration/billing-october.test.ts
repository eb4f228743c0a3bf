import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalQueues, startLocalQueues } from '#local/queue';
import { balanceOf } from '#shared/billing/balance';
import { startBillingRun } from '#shared/billing/run';
import { getRun, runsOf } from '#shared/billing/store';
import {
  accountOf,
  buildTown,
  expectedOctober,
  type Item,
  ledgerItems,
  OCTOBER_RUN_CLOCK,
  pinClock,
  runOctober,
  TOWN,
  totalOf,
  town,
} from '#test/support/billingTown';

/**
 * A generated town of 50 accounts with known tariffs, meters and readings, billed for October 2026
 * through the real path (the schedule's job, the billing queue, the batch handler, DynamoDB Local),
 * checked against totals computed independently (test/support/billingTown.ts).
 */

pinClock(OCTOBER_RUN_CLOCK);

let queues: LocalQueues;
let runId: string;

beforeAll(async () => {
  queues = startLocalQueues({ concurrency: 3, log: () => undefined });
  await buildTown();
  runId = await runOctober(queues);
}, 120_000);

afterAll(() => queues.stop());

describe('the October run of a town of 50 accounts', () => {
  it('charges every account the totals computed independently, and counts them in the run', async () => {
    const charges = (await ledgerItems()).filter((i) => i.kind === 'charge');
    expect(charges).toHaveLength(TOWN);
    let grand = 0;
    for (const h of town) {
      const entry = charges.find((c) => c.account === h.account);
      const expected = expectedOctober(h);
      const byService = Object.fromEntries((entry?.lines ?? []).map((l: Item) => [l.service, l.amount]));
      expect(byService, `account ${h.account}`).toEqual(expected);
      expect(entry?.total).toBe(totalOf(expected));
      grand += totalOf(expected);
    }
    const run = await getRun('2026-10', runId);
    expect(run).toMatchObject({
      accounts: TOWN,
      billed: TOWN,
      alreadyBilled: 0,
      failed: 0,
      charged: grand,
      shardsDone: run?.shards,
      batchesDone: run?.batchesPlanned,
    });
  });

  it('keeps how each volume was determined', async () => {
    const charges = (await ledgerItems()).filter((i) => i.kind === 'charge');
    const method = (account: string, service: string) =>
      charges.find((c) => c.account === account)?.lines.find((l: Item) => l.service === service)?.method;
    expect(method(accountOf(2), 'cold_water')).toBe('meter');
    expect(method(accountOf(1), 'cold_water')).toBe('average');
    expect(method(accountOf(5), 'cold_water')).toBe('norm');
    expect(method(accountOf(5), 'heating')).toBe('area');
    expect(method(accountOf(5), 'waste')).toBe('residents');
    const unmetered = charges
      .find((c) => c.account === accountOf(5))
      ?.lines.find((l: Item) => l.service === 'cold_water');
    expect(unmetered).toMatchObject({ coefficient: '1.5', volume: String(4 * 2 * 1.5), price: '40' });
  });

  it('changes nothing when run again', async () => {
    const before = await ledgerItems();
    const runsBefore = (await runsOf('2026-10')).length;
    // A retry of the scheduled job joins its run (test/integration/jobs.test.ts); an operator's
    // run is a new one, and finds every account billed.
    const again = await startBillingRun({ period: '2026-10', source: 'operator' });
    await queues.drain();
    expect(await ledgerItems()).toEqual(before);
    expect(await getRun('2026-10', again.runId)).toMatchObject({
      accounts: TOWN,
      billed: 0,
      alreadyBilled: TOWN,
      charged: 0,
    });
    expect(await runsOf('2026-10')).toHaveLength(runsBefore + 1);
  });

  it('leaves every balance equal to the sum of its ledger lines', async () => {
    const ledger = await ledgerItems();
    for (const h of town) {
      const lines = ledger.filter((e) => e.account === h.account).flatMap((e) => e.lines as Item[]);
      const balance = await balanceOf(h.account);
      // Nothing but October's charge in this table: the balance is the total computed independently.
      expect(balance.total).toBe(totalOf(expectedOctober(h)));
      expect(balance.total).toBe(lines.reduce((s, l) => s + l.amount, 0));
      for (const s of balance.services) {
        expect(s.balance).toBe(lines.filter((l) => l.service === s.service).reduce((sum, l) => sum + l.amount, 0));
      }
    }
  });
});
