import { beforeAll, describe, expect, it } from 'vitest';
import { importRegistry } from '#shared/registry/importRegistry';
import {
  type Item,
  kop,
  ledgerItems,
  NOVEMBER_RUN_CLOCK,
  pinClock,
  putItems,
  TARIFFS,
} from '#test/support/billingTown';
import { readingItem } from '#test/support/fixtures';

/** Rules of ПП РФ № 354 through the real registry import and the run's account path. */

pinClock(NOVEMBER_RUN_CLOCK);

describe('the rules of ПП РФ № 354 through the real import and run', () => {
  // Accounts billed one by one through the run's account path (one query, one conditional
  // write); each test reads its own account.
  const accounts = [
    'account;owner;passport;address;area;residents;services;owners;no_meter_possible',
    '700001;Без Горячей Воды;1407 700001;г. Старый Оскол, д. 70, кв. 1;40;2;cold_water wastewater;1;',
    '700002;Никто Не Живёт;1407 700002;г. Старый Оскол, д. 70, кв. 2;40;0;cold_water waste;3;',
    '700003;Счётчик Нельзя;1407 700003;г. Старый Оскол, д. 70, кв. 3;40;2;cold_water;1;cold_water',
    '700004;Новый Счётчик;1407 700004;г. Старый Оскол, д. 70, кв. 4;40;1;cold_water;1;',
  ].join('\n');
  const reading = (account: string, serial: string, period: string, consumption: string) =>
    readingItem({ account, serial, service: 'cold_water', period, value: '0', consumption });
  const lineOf = async (account: string, sk: string) =>
    (await ledgerItems()).find((i) => i.account === account && i.sk === sk)?.lines as Item[] | undefined;
  let billOne: (account: string, period: string) => Promise<unknown>;

  beforeAll(async () => {
    expect((await importRegistry('tariffs', Buffer.from(TARIFFS))).errors).toEqual([]);
    const { billOneAccount } = await import('#shared/billing/run');
    const { loadTariffs } = await import('#shared/billing/store');
    const tariffs = await loadTariffs();
    billOne = (account, period) => billOneAccount(account, period, tariffs);
    expect((await importRegistry('accounts', Buffer.from(accounts))).errors).toEqual([]);
    const meters =
      'account;meter;service;reading;verified_until;installed\n700001;W-1;cold_water;0;2031-01-31;2026-10-01\n';
    expect((await importRegistry('meters', Buffer.from(meters))).errors).toEqual([]);
    await putItems([reading('700001', 'W-1', '2026-10', '7')]);
    for (const account of ['700001', '700002', '700003', '700004']) await billOne(account, '2026-10');
  }, 60_000);

  it('a flat without hot water pays wastewater for its cold water only', async () => {
    const lines = await lineOf('700001', 'LEDGER#2026-10#charge#billing');
    // The case: 7 m³ on the cold water meter is 7 m³ of wastewater, not 7 + the hot water norm.
    expect(lines?.find((l) => l.service === 'wastewater')).toMatchObject({
      volume: '7',
      method: 'meter',
      amount: kop(7, 30),
    });
  });

  it('a flat nobody lives in pays the norm and the waste by its owners (п. 56(2))', async () => {
    const lines = await lineOf('700002', 'LEDGER#2026-10#charge#billing');
    expect(lines?.find((l) => l.service === 'cold_water')).toMatchObject({
      volume: '18',
      coefficient: '1.5',
      amount: kop(18, 40),
    });
    expect(lines?.find((l) => l.service === 'waste')).toMatchObject({ volume: '3', amount: kop(3, 150) });
  });

  it('a flat where no meter can be installed pays the norm without the increasing coefficient', async () => {
    const lines = await lineOf('700003', 'LEDGER#2026-10#charge#billing');
    expect(lines?.[0]).toMatchObject({ service: 'cold_water', volume: '8', method: 'norm', amount: kop(8, 40) });
    expect(lines?.[0]).not.toHaveProperty('coefficient');
  });

  it('a new meter’s first reading recalculates the months billed by the norm since its installation, once', async () => {
    // October was billed without a meter: 4 × 1 × 1.5. The operator then registers the meter,
    // installed on 15 October, and November's first reading counts 9 m³ since then.
    expect((await lineOf('700004', 'LEDGER#2026-10#charge#billing'))?.[0]).toMatchObject({
      volume: '6',
      amount: kop(6, 40),
    });
    const meters =
      'account;meter;service;reading;verified_until;installed\n700004;N-4;cold_water;0;2032-10-31;2026-10-15\n';
    expect((await importRegistry('meters', Buffer.from(meters))).errors).toEqual([]);
    await putItems([reading('700004', 'N-4', '2026-11', '9')]);
    await billOne('700004', '2026-11');
    expect((await lineOf('700004', 'LEDGER#2026-11#charge#billing'))?.[0]).toMatchObject({
      method: 'meter',
      volume: '4.5',
    });
    expect(await lineOf('700004', 'LEDGER#2026-11#recalc#billing')).toEqual([
      expect.objectContaining({
        forPeriod: '2026-10',
        method: 'meter',
        volume: '4.5',
        billedAmount: kop(6, 40),
        revisedAmount: kop('4.5', 40),
        amount: kop('4.5', 40) - kop(6, 40),
      }),
    ]);
    const before = await ledgerItems();
    await billOne('700004', '2026-11');
    expect(await ledgerItems()).toEqual(before);
  });
});
