import { paidPeriod } from '#shared/billing/allocation';
import { parseRoubles } from '#shared/billing/money';
import { DomainError } from '#shared/errors';
import { isAccountNumber } from '#shared/format';
import { type BankReading, recordBankPayment, takeBankReadings } from '#shared/payments/banks';
import { MAX_PAYMENT_KOPECKS } from '#shared/payments/model';
import { decode, type Encoding, parseCsv } from '#shared/registry/csv';
import { byLine, type RowError } from '#shared/registry/report';
import { moscowInstant } from '#shared/time';

/**
 * A bank's daily registry of payments received by account number (реестр платежей), as banks
 * send it to the billing centre: Windows-1251 (or UTF-8), `;`-separated, one payment per line,
 * no header (one is tolerated), and a closing control line `=<count>;<sum>;…`:
 *
 *   date;time;branch;cashier;transaction;account;payer;address;period;counters;amount;transferred;commission
 *   12-11-2026;10-15-32;8592;0001;250001234567;100001;ИВАНОВА М П;Г СТАРЫЙ ОСКОЛ…;112026;ХВ-001=123,456|ГВ-002=45,6;1500.00;1485.00;15.00
 *   =1;1500.00;1485.00;15.00
 *
 * `transaction` is the bank's unique operation number, the same id its online notification carries;
 * `counters` holds the readings the payer typed in the bank's app: `<meter serial>=<value>` pairs
 * separated by `|`; `amount` (roubles) is what the account is credited; `period` (MMYYYY, the QR's
 * PaymPeriod) names the bill paid, which the payment then pays first (shared/billing/allocation.ts).
 */
export const REGISTRY_COLUMNS = [
  'date',
  'time',
  'branch',
  'cashier',
  'transaction',
  'account',
  'payer',
  'address',
  'period',
  'counters',
  'amount',
  'transferred',
  'commission',
] as const;

export const TRANSACTION_ID = /^[A-Za-z0-9._:/-]{1,64}$/;

export interface RegistryPayment {
  line: number;
  transactionId: string;
  account: string;
  amount: number;
  paidAt: string;
  /** The bill paid (`YYYY-MM`), from the `period` column (MMYYYY), when it names a month. */
  period?: string;
  readings: BankReading[];
}

export interface ParsedRegistry {
  encoding: Encoding;
  payments: RegistryPayment[];
  errors: RowError[];
  /** Data lines (the control line and a header are not counted). */
  total: number;
  /** A problem with the file as a whole: nothing of it may load. */
  fatal?: RowError;
}

const DATE = /^(\d{2})[-.](\d{2})[-.](\d{4})$/;
const TIME = /^(\d{2})[-:.](\d{2})(?:[-:.](\d{2}))?$/;
const READING_VALUE = /^\d{1,9}(?:[.,]\d{1,3})?$/;

function paidAtOf(date: string, time: string): string | undefined {
  const d = DATE.exec(date);
  const t = TIME.exec(time);
  if (!d || !t) return undefined;
  const [day, month, year] = [Number(d[1]), Number(d[2]), Number(d[3])];
  const [hour, minute, second] = [Number(t[1]), Number(t[2]), Number(t[3] ?? 0)];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return undefined;
  const at = moscowInstant(year, month, day, hour, minute);
  at.setUTCSeconds(second);
  // 31.02 rolls into March in Date arithmetic: refuse a date that does not exist.
  if (new Date(at.getTime() + 3 * 3600_000).getUTCDate() !== day) return undefined;
  return at.toISOString();
}

export function parseCounters(text: string): BankReading[] | string {
  if (text.trim() === '') return [];
  const readings: BankReading[] = [];
  for (const pair of text.split('|')) {
    const eq = pair.lastIndexOf('=');
    const meter = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    if (eq < 1 || meter === '' || !READING_VALUE.test(value)) {
      return `counters — ожидаются пары «счётчик=показание» через «|», а не «${pair.trim()}»`;
    }
    readings.push({ meter, value });
  }
  return readings;
}

function parseRow(values: Record<string, string>): Omit<RegistryPayment, 'line'> | string {
  const paidAt = paidAtOf(values.date ?? '', values.time ?? '');
  if (!paidAt) return 'date/time — ожидаются ДД-ММ-ГГГГ и ЧЧ-ММ-СС';
  const transactionId = values.transaction ?? '';
  if (!TRANSACTION_ID.test(transactionId)) return 'transaction — нужен номер операции банка (до 64 символов)';
  const account = values.account ?? '';
  if (!isAccountNumber(account)) return 'account — номер лицевого счёта: 6 цифр';
  const amount = parseRoubles(values.amount ?? '');
  if (amount === undefined || amount <= 0 || amount > MAX_PAYMENT_KOPECKS) {
    return 'amount — сумма в рублях больше нуля, например 1500.00';
  }
  const readings = parseCounters(values.counters ?? '');
  if (typeof readings === 'string') return readings;
  // The money has arrived whatever the period says: a period that is no month just pays the oldest
  // debts first, as a payment without one does.
  const period = paidPeriod(values.period);
  return { transactionId, account, amount, paidAt, ...(period ? { period } : {}), readings };
}

/** Reads the file; rows with problems are reported by line and the rest parsed. */
export function parseBankRegistry(bytes: Uint8Array): ParsedRegistry {
  const { text, encoding } = decode(bytes);
  // The registry has no header row: ours goes in front (so csv.ts splits and quotes as for every
  // registry file), and line numbers are shifted back by the one line it adds.
  const table = parseCsv(`${REGISTRY_COLUMNS.join(';')}\n${text}`);
  const result: ParsedRegistry = { encoding, payments: [], errors: [], total: 0 };
  if (table.fatal) return { ...result, fatal: { line: Math.max(1, table.fatal.line - 1), reason: table.fatal.reason } };
  result.errors.push(...table.errors.map((e) => ({ ...e, line: e.line - 1 })));
  let control: { line: number; count: number; sum: number | undefined } | undefined;
  let sum = 0;
  for (const [index, row] of table.rows.entries()) {
    const line = row.line - 1;
    const first = row.values.date ?? '';
    if (first.startsWith('=')) {
      control = { line, count: Number(first.slice(1)), sum: parseRoubles(row.values.time ?? '') };
      continue;
    }
    // A header row some banks add: its first cell is a word, not a date.
    if (index === 0 && !/^\d/.test(first)) continue;
    if (control) {
      result.errors.push({ line, reason: 'строка после контрольной строки «=…» не загружена' });
      continue;
    }
    result.total++;
    const parsed = parseRow(row.values);
    if (typeof parsed === 'string') {
      result.errors.push({ line, reason: parsed });
      continue;
    }
    sum += parsed.amount;
    result.payments.push({ line, ...parsed });
  }
  result.total += table.errors.length;
  if (control) {
    const counted = result.total;
    if (control.count !== counted || (control.sum !== undefined && result.errors.length === 0 && control.sum !== sum)) {
      return {
        ...result,
        payments: [],
        fatal: {
          line: control.line,
          reason: `контрольная строка: ${control.count} платежей на ${control.sum === undefined ? '?' : (control.sum / 100).toFixed(2)} руб., а в файле ${counted} на ${(sum / 100).toFixed(2)} руб.; файл не загружен (неполный или испорченный)`,
        },
      };
    }
  }
  result.errors.sort(byLine);
  return result;
}

export interface BankRegistryReport {
  bank: string;
  encoding?: Encoding;
  total: number;
  /** New payments credited. */
  loaded: number;
  /** Already received by the bank's online notification. */
  skippedOnline: number;
  /** Already loaded from an earlier registry (a file imported twice). */
  skippedRepeated: number;
  errors: RowError[];
  readings: { accepted: number; refused: RowError[] };
}

const CONCURRENCY = 8;

/** Loads a parsed registry: each payment once, and its readings through the portal's rules. */
export async function importBankRegistry(bank: string, bytes: Uint8Array): Promise<BankRegistryReport> {
  const parsed = parseBankRegistry(bytes);
  const report: BankRegistryReport = {
    bank,
    encoding: parsed.encoding,
    total: parsed.total,
    loaded: 0,
    skippedOnline: 0,
    skippedRepeated: 0,
    errors: parsed.fatal ? [parsed.fatal] : [...parsed.errors],
    readings: { accepted: 0, refused: [] },
  };
  if (parsed.fatal) return report;
  const queue = [...parsed.payments];
  const worker = async () => {
    for (let row = queue.shift(); row; row = queue.shift()) await importRow(bank, row, report);
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  report.errors.sort(byLine);
  report.readings.refused.sort(byLine);
  return report;
}

async function importRow(bank: string, row: RegistryPayment, report: BankRegistryReport): Promise<void> {
  try {
    const outcome = await recordBankPayment({
      bank,
      transactionId: row.transactionId,
      account: row.account,
      amount: row.amount,
      paidAt: row.paidAt,
      via: 'registry',
      period: row.period,
    });
    if (!outcome.duplicate) report.loaded++;
    else if (outcome.via === 'notification') report.skippedOnline++;
    else report.skippedRepeated++;
  } catch (error) {
    if (error instanceof DomainError && error.status < 500) {
      report.errors.push({ line: row.line, reason: `${row.account}: ${error.message}` });
      return;
    }
    throw error;
  }
  const readings = await takeBankReadings(bank, row.transactionId, row.account, row.readings);
  if (!readings) return;
  if (readings.accepted) report.readings.accepted += readings.count;
  else {
    const detail = readings.fields ? Object.values(readings.fields).join('; ') : '';
    const reason = detail && detail !== readings.message ? `${readings.message} (${detail})` : readings.message;
    report.readings.refused.push({ line: row.line, reason: `показания ${row.account}: ${reason}` });
  }
}
