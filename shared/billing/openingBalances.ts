import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { ADVANCE, type LedgerService, type OpeningEntry, openingEntry } from '#shared/billing/ledger';
import { parseRoubles } from '#shared/billing/money';
import { accountLedger } from '#shared/billing/store';
import { db, tableName } from '#shared/clients/dynamo';
import { type Decoded, type Delimiter, decode, parseCsv } from '#shared/registry/csv';
import * as f from '#shared/registry/fields';
import { byLine, type RowError } from '#shared/registry/report';
import { findAccounts } from '#shared/registry/repository';
import { now, periodOf } from '#shared/time';

/**
 * Opening balances from the centre's previous billing system (`npm run rac -- import balances
 * FILE`): what each account owed (or had overpaid) per service when this system takes over.
 *
 * CSV with a header, the same reading as the registry files (UTF-8 or Windows-1251, `;` or `,`,
 * decimal comma or point, extra columns ignored):
 *   account — 6 digits, an account already imported;
 *   service — a service id (cold_water, …) or `advance` for an overpayment not tied to a service;
 *   balance — roubles, signed: positive a debt, negative an overpayment ("-150,00"), at most kopecks;
 *   period  — YYYY-MM, the first month billed here: the balance is the opening balance of that month.
 *
 * A balance becomes an `opening` ledger entry of that month. Importing the same file again changes
 * nothing; a corrected balance adds an entry with the difference (entries are never rewritten), so
 * the account's opening balance for the service always equals the last file's value. An account
 * has one opening month: a row for another month, or for a month after the account's first
 * charges, is refused.
 */

export const BALANCE_COLUMNS = ['account', 'service', 'balance', 'period'] as const;

function ledgerService(value: string): f.Parsed<LedgerService> {
  if (value.toLowerCase() === ADVANCE) return ADVANCE;
  return f.service(value);
}

function signedRoubles(value: string): f.Parsed<number> {
  if (value === '') return new f.Problem('не заполнено');
  const kopecks = parseRoubles(value);
  if (kopecks === undefined) {
    return new f.Problem('ожидается сумма в рублях, например 1234,56 (долг) или -150,00 (переплата)');
  }
  return kopecks;
}

export const BalanceRow = z.object({
  account: f.column(f.accountNumber),
  service: f.column(ledgerService),
  balance: f.column(signedRoubles),
  period: f.column(f.period),
});
export type BalanceRow = z.output<typeof BalanceRow>;

export interface BalancesReport {
  kind: 'balances';
  total: number;
  /** Rows now in the ledger as the file says: written, or already there unchanged. */
  loaded: number;
  /** Of those, rows the ledger already held with this value (a repeated import). */
  unchanged: number;
  errors: RowError[];
  encoding?: Decoded['encoding'];
  delimiter?: Delimiter;
}

/** The pure stage: bytes to checked rows and the reasons of the refused ones. */
export function parseBalances(
  bytes: Uint8Array,
  currentPeriod: string = periodOf(now()),
): { rows: Array<{ line: number; row: BalanceRow }>; errors: RowError[]; fatal?: RowError } & Pick<
  BalancesReport,
  'total' | 'encoding' | 'delimiter'
> {
  const { text, encoding } = decode(bytes);
  const table = parseCsv(text);
  const base = { total: table.rows.length + table.errors.length, encoding, delimiter: table.delimiter };
  if (table.fatal) return { ...base, rows: [], errors: [], fatal: table.fatal };
  const missing = BALANCE_COLUMNS.filter((c) => !table.columns.includes(c));
  if (missing.length > 0) {
    return {
      ...base,
      rows: [],
      errors: [],
      fatal: {
        line: table.headerLine,
        reason: `нет ${missing.length === 1 ? 'столбца' : 'столбцов'} ${missing.join(', ')}; нужны: ${BALANCE_COLUMNS.join(', ')}`,
      },
    };
  }
  const rows: Array<{ line: number; row: BalanceRow }> = [];
  const errors: RowError[] = [...table.errors];
  const firstLine = new Map<string, number>();
  for (const { line, values } of table.rows) {
    const parsed = BalanceRow.safeParse(values);
    if (!parsed.success) {
      const seen = new Set<string>();
      const reasons = parsed.error.issues
        .filter((i) => {
          const name = String(i.path[0] ?? '');
          if (seen.has(name)) return false;
          seen.add(name);
          return true;
        })
        .map((i) => `${String(i.path[0] ?? '')} — ${i.message}`);
      errors.push({ line, reason: reasons.join('; ') });
      continue;
    }
    const row = parsed.data;
    if (row.period > currentPeriod) {
      errors.push({ line, reason: `period — месяц ${row.period} ещё не наступил` });
      continue;
    }
    const id = `${row.account}#${row.service}`;
    const first = firstLine.get(id);
    if (first !== undefined) {
      errors.push({ line, reason: `сальдо этого счёта по этой услуге уже есть в строке ${first} файла` });
      continue;
    }
    firstLine.set(id, line);
    rows.push({ line, row });
  }
  return { ...base, rows, errors };
}

export async function importOpeningBalances(bytes: Uint8Array): Promise<BalancesReport> {
  const at = now();
  const parsed = parseBalances(bytes, periodOf(at));
  const report = (loaded: number, unchanged: number, errors: RowError[]): BalancesReport => ({
    kind: 'balances',
    total: parsed.total,
    loaded,
    unchanged,
    errors: [...errors].sort(byLine),
    encoding: parsed.encoding,
    delimiter: parsed.delimiter,
  });
  if (parsed.fatal) return report(0, 0, [parsed.fatal]);

  const errors = [...parsed.errors];
  const existing = await findAccounts(parsed.rows.map((r) => r.row.account));
  const byAccount = new Map<string, Array<{ line: number; row: BalanceRow }>>();
  for (const item of parsed.rows) {
    if (!existing.has(item.row.account)) {
      errors.push({
        line: item.line,
        reason: `account — лицевой счёт ${item.row.account} не найден: сначала импортируйте accounts`,
      });
      continue;
    }
    const list = byAccount.get(item.row.account) ?? [];
    list.push(item);
    byAccount.set(item.row.account, list);
  }

  let loaded = 0;
  let unchanged = 0;
  for (const [account, items] of byAccount) {
    const ledger = await accountLedger(account);
    const openings = ledger.filter((e): e is OpeningEntry => e.kind === 'opening');
    const firstCharge = ledger
      .filter((e) => e.kind === 'charge')
      .map((e) => e.period)
      .sort()[0];
    for (const { line, row } of items) {
      const mine = openings.filter((e) => e.lines.some((l) => l.service === row.service));
      const otherMonth = openings.find((e) => e.period !== row.period);
      if (otherMonth) {
        errors.push({
          line,
          reason: `period — начальное сальдо счёта ${account} уже загружено за ${otherMonth.period}; у счёта один начальный месяц`,
        });
        continue;
      }
      if (firstCharge && row.period > firstCharge) {
        errors.push({
          line,
          reason: `period — по счёту ${account} уже есть начисления с ${firstCharge}: начальное сальдо — не позже ${firstCharge}`,
        });
        continue;
      }
      const net = mine.reduce((sum, e) => sum + e.total, 0);
      if (net === row.balance) {
        loaded++;
        unchanged++;
        continue;
      }
      const entry = openingEntry(
        account,
        row.period,
        row.service,
        mine.length + 1,
        row.balance - net,
        at.toISOString(),
      );
      try {
        await db().send(
          new PutCommand({ TableName: tableName(), Item: entry, ConditionExpression: 'attribute_not_exists(pk)' }),
        );
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        errors.push({ line, reason: 'сальдо этого счёта меняется другим импортом в эту же минуту: повторите импорт' });
        continue;
      }
      openings.push(entry);
      loaded++;
    }
  }
  return report(loaded, unchanged, errors);
}
