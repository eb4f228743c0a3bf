import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { balanceOf } from '#shared/billing/balance';
import { importOpeningBalances } from '#shared/billing/openingBalances';
import { buildTown, ledgerItems, OCTOBER_RUN_CLOCK, pinClock } from '#test/support/billingTown';
import { runCli } from '#test/support/cli';

/** Opening balances carried over from the previous system, before anything is billed here. */

pinClock(OCTOBER_RUN_CLOCK);

beforeAll(buildTown, 120_000);

describe('opening balances from the previous system', () => {
  it('load per account and service; a repeated import changes nothing; a corrected one adds the difference', async () => {
    const file = Buffer.from(
      [
        'account;service;balance;period',
        '300002;cold_water;1 000,50;2026-10',
        '300002;advance;-200,00;2026-10',
        '399999;gas;5,00;2026-10',
      ].join('\n'),
    );
    const first = await importOpeningBalances(file);
    expect(first).toMatchObject({ total: 3, loaded: 2, unchanged: 0 });
    expect(first.errors).toEqual([{ line: 4, reason: expect.stringContaining('399999 не найден') }]);
    expect(await balanceOf('300002')).toEqual({
      total: 80_050,
      services: [
        { service: 'advance', balance: -20_000 },
        { service: 'cold_water', balance: 100_050 },
      ],
    });

    const again = await importOpeningBalances(file);
    expect(again).toMatchObject({ loaded: 2, unchanged: 2 });
    const corrected = await importOpeningBalances(
      Buffer.from('account;service;balance;period\n300002;cold_water;900,50;2026-10\n300002;waste;10;2026-09\n'),
    );
    expect(corrected).toMatchObject({ loaded: 1, unchanged: 0 });
    expect(corrected.errors).toEqual([{ line: 3, reason: expect.stringContaining('уже загружено за 2026-10') }]);
    const openings = (await ledgerItems()).filter((i) => i.pk === 'ACC#300002' && i.kind === 'opening');
    expect(openings.map((i) => [i.sk, i.total]).sort()).toEqual([
      ['LEDGER#2026-10#opening#advance.1', -20_000],
      ['LEDGER#2026-10#opening#cold_water.1', 100_050],
      ['LEDGER#2026-10#opening#cold_water.2', -10_000],
    ]);
    expect((await balanceOf('300002')).total).toBe(70_050);
  });

  it('imports opening balances through the CLI, reporting bad rows by line with exit code 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rac-balances-'));
    const file = join(dir, 'balances.csv');
    writeFileSync(file, 'account;service;balance;period\n300003;gas;15,00;2026-10\n300003;gas;x;2026-10\n');
    const out = await runCli(['import', 'balances', file]);
    expect(out.code).toBe(1);
    expect(out.stdout).toContain('Записей в файле: 2; загружено: 1');
    expect(out.stdout).toContain('строка 3: balance — ожидается сумма в рублях');
    expect(await balanceOf('300003')).toEqual({ total: 1_500, services: [{ service: 'gas', balance: 1_500 }] });
  });
});
