import iconv from 'iconv-lite';
import { queryAll } from '#shared/clients/dynamo';
import { keys } from '#shared/keys';
import type { ReadingRecord } from '#shared/readings/store';
import { GSI1 } from '#shared/tables';
import { MOSCOW_OFFSET_MS } from '#shared/time';

/**
 * The period's readings for the centre's billing system: one row per meter with its accepted
 * value. Read by the per-period index (gsi1 `READINGS#<period>#<shard>`), a paginated Query per
 * shard: the export never scans the table, so it can run during the window without touching the
 * residents' traffic. Seeded and submitted readings alike carry the index keys.
 */
export const EXPORT_COLUMNS = [
  'account',
  'meter',
  'service',
  'period',
  'value',
  'consumption',
  'submitted_at',
  'source',
] as const;

export type ExportEncoding = 'utf8' | 'cp1251';

export async function readingsOfPeriod(period: string): Promise<ReadingRecord[]> {
  const items: ReadingRecord[] = [];
  for (const shard of keys.readingsOfPeriodShards(period)) {
    items.push(
      ...(await queryAll<ReadingRecord>({
        IndexName: GSI1,
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': shard },
      })),
    );
  }
  return items.sort((a, b) => a.account.localeCompare(b.account) || a.serial.localeCompare(b.serial));
}

/** ISO 8601 in Moscow time with its offset: what the operators read, unambiguous for a machine. */
export function moscowTimestamp(iso: string): string {
  return `${new Date(new Date(iso).getTime() + MOSCOW_OFFSET_MS).toISOString().slice(0, 19)}+03:00`;
}

function cell(value: string): string {
  return /[";\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/**
 * `;`-separated with decimal commas and CRLF, as Russian Excel and 1С-based billing systems read
 * it; UTF-8 with a BOM (so Excel sees the encoding) or Windows-1251.
 */
export function readingsCsv(rows: readonly ReadingRecord[], encoding: ExportEncoding): Buffer {
  const lines = [EXPORT_COLUMNS.join(';')];
  for (const r of rows) {
    lines.push(
      [
        r.account,
        r.serial,
        r.service,
        r.period,
        r.value.replace('.', ','),
        r.consumption.replace('.', ','),
        moscowTimestamp(r.submittedAt),
        r.source,
      ]
        .map(cell)
        .join(';'),
    );
  }
  const text = `${lines.join('\r\n')}\r\n`;
  return encoding === 'cp1251' ? iconv.encode(text, 'win1251') : Buffer.from(`\ufeff${text}`, 'utf8');
}
