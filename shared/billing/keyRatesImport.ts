import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import Decimal from 'decimal.js';
import * as z from 'zod/mini';
import { forgetKeyRates } from '#shared/billing/keyRates';
import type { KeyRate } from '#shared/billing/penalties';
import { db, tableName } from '#shared/clients/dynamo';
import { keys } from '#shared/keys';
import { type Decoded, type Delimiter, decode, parseCsv } from '#shared/registry/csv';
import * as f from '#shared/registry/fields';
import { byLine, type RowError } from '#shared/registry/report';

/**
 * The Bank of Russia key rate, for пени (shared/billing/penalties.ts): `npm run rac -- import
 * key-rates FILE`, CSV with a header like the registry files (UTF-8 or Windows-1251, `;` or `,`):
 *
 *   from;rate
 *   2022-02-14;9,5
 *   2025-10-27;16,5
 *
 * `from` — the day the rate takes effect (YYYY-MM-DD); `rate` — percent a year, decimal comma or
 * point. A row is the rate from that day until the next row's day. Importing the same file again
 * writes the same items (a rate is keyed by its day); a corrected rate replaces the old one.
 */

export const KEY_RATE_COLUMNS = ['from', 'rate'] as const;

function percent(value: string): f.Parsed<string> {
  const parsed = f.decimal({ min: 0, max: 100, maxPlaces: 4, example: '16,5' })(value);
  if (parsed instanceof f.Problem) return parsed;
  if (parsed === undefined) return new f.Problem('не заполнено');
  // Stored as a plain decimal ("16.5"), never as a float.
  return new Decimal(parsed).toFixed();
}

export const KeyRateRow = z.object({
  from: f.column(f.date),
  rate: f.column(percent),
});

export interface KeyRatesReport {
  kind: 'key-rates';
  total: number;
  loaded: number;
  errors: RowError[];
  encoding?: Decoded['encoding'];
  delimiter?: Delimiter;
}

/** The pure stage: bytes to rates and the reasons of the refused rows (by line). */
export function parseKeyRates(bytes: Uint8Array): {
  rates: Array<{ line: number; rate: KeyRate }>;
  errors: RowError[];
  total: number;
  encoding: Decoded['encoding'];
  delimiter: Delimiter;
} {
  const { text, encoding } = decode(bytes);
  const table = parseCsv(text);
  const base = { encoding, delimiter: table.delimiter, total: table.rows.length + table.errors.length };
  if (table.fatal) return { ...base, rates: [], errors: [table.fatal] };
  const missing = KEY_RATE_COLUMNS.filter((c) => !table.columns.includes(c));
  if (missing.length > 0) {
    return {
      ...base,
      rates: [],
      errors: [{ line: table.headerLine, reason: `нет столбца ${missing.join(', ')}; нужны: from, rate` }],
    };
  }
  const errors: RowError[] = [...table.errors];
  const rates: Array<{ line: number; rate: KeyRate }> = [];
  const seen = new Map<string, number>();
  for (const { line, values } of table.rows) {
    const parsed = KeyRateRow.safeParse(values);
    if (!parsed.success) {
      const reasons = [...new Map(parsed.error.issues.map((i) => [String(i.path[0] ?? ''), i.message])).entries()];
      errors.push({ line, reason: reasons.map(([name, message]) => `${name} — ${message}`).join('; ') });
      continue;
    }
    const { from, rate } = parsed.data;
    if (from === undefined || rate === undefined) {
      errors.push({ line, reason: from === undefined ? 'from — не заполнено' : 'rate — не заполнено' });
      continue;
    }
    const first = seen.get(from);
    if (first !== undefined) {
      errors.push({ line, reason: `from — ставка с ${from} уже есть в строке ${first} файла` });
      continue;
    }
    seen.set(from, line);
    rates.push({ line, rate: { from, rate } });
  }
  return { ...base, rates, errors: errors.sort(byLine) };
}

/** Loads the good rows (25 a batch); a row keyed by its day, so a repeated import changes nothing. */
export async function importKeyRates(bytes: Uint8Array): Promise<KeyRatesReport> {
  const parsed = parseKeyRates(bytes);
  const items = parsed.rates.map(({ rate }) => ({ ...keys.keyRate(rate.from), entity: 'keyRate', ...rate }));
  for (let i = 0; i < items.length; i += 25) {
    let request: Record<string, unknown[]> = {
      [tableName()]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })),
    };
    for (let attempt = 0; Object.keys(request).length > 0; attempt++) {
      if (attempt > 8) throw new Error('DynamoDB kept returning unprocessed key rates');
      const out = await db().send(new BatchWriteCommand({ RequestItems: request as never }));
      request = (out.UnprocessedItems ?? {}) as Record<string, unknown[]>;
    }
  }
  forgetKeyRates();
  return {
    kind: 'key-rates',
    total: parsed.total,
    loaded: parsed.rates.length,
    errors: parsed.errors,
    encoding: parsed.encoding,
    delimiter: parsed.delimiter,
  };
}
