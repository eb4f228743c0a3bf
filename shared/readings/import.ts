import Decimal from 'decimal.js';
import * as z from 'zod/mini';
import { forEachConcurrently } from '#shared/concurrency';
import { dateText, periodText } from '#shared/format';
import { monthsBetween } from '#shared/readings/period';
import {
  averageConsumption,
  beforeInstallation,
  checkReading,
  formatDecimal,
  type MeterFacts,
  timesMore,
} from '#shared/readings/rules';
import {
  MAX_REPLACEMENTS,
  type MeterReadings,
  type MeterRecord,
  meterReadingsOf,
  type ReadingRecord,
  type ReadingSource,
  replacedHistory,
  writeSubmission,
} from '#shared/readings/store';
import { type Decoded, type Delimiter, decode, parseCsv } from '#shared/registry/csv';
import * as f from '#shared/registry/fields';
import { byLine, type RowError, reasonOf } from '#shared/registry/report';
import { findAccounts } from '#shared/registry/repository';
import { serviceById } from '#shared/registry/services';
import { addDays, addMonths, moscowDate, moscowInstant, now, periodOf } from '#shared/time';

/**
 * `npm run rac -- import readings FILE`: readings the centre took itself — the previous system's
 * history, paper forms, phone calls, controllers' rounds — through the rules the portal applies
 * (shared/readings/rules.ts), whether the window is open or not:
 * - never below the meter's previous value, except a roll-over past its capacity (under 10 % of
 *   it); a meter past its verification, or not yet installed, on the reading's date is refused
 *   (checkReading judges both on the day the reading was taken);
 * - the typo guard and the roll-over do not stop a row (the centre's staff already looked at the
 *   value; there is nobody to ask) but are reported as warnings to check;
 * - idempotent: a row whose value is already the period's reading writes nothing, so importing a
 *   file twice changes nothing; another value for the meter's latest period replaces it, the
 *   replaced one kept in the history, as a resident's resubmission does;
 * - a meter's readings form a chain (each consumption counts from the one before), so a row for a
 *   month before the meter's latest reading is refused unless it repeats what is stored: history is
 *   loaded oldest first (the rows of a file are taken in month order per meter, whatever their order).
 * Each accepted row is one DynamoDB transaction under the account's readings lock (store.ts), so a
 * resident submitting at the same moment is never overwritten half-way, and a row for an earlier
 * month never changes the basis of a resident's value judged meanwhile: the row is judged again.
 */

/** Column `source`: an id, or the word an operator would type. Empty: the previous system. */
const SOURCE_WORDS: Record<string, ImportSource> = {
  legacy: 'legacy',
  paper: 'paper',
  phone: 'phone',
  controller: 'controller',
  'прежняя система': 'legacy',
  архив: 'legacy',
  бланк: 'paper',
  телефон: 'phone',
  контролёр: 'controller',
  контролер: 'controller',
};

export const IMPORT_SOURCES = ['legacy', 'paper', 'phone', 'controller'] as const satisfies readonly ReadingSource[];
export type ImportSource = (typeof IMPORT_SOURCES)[number];

function source(value: string): f.Parsed<ImportSource> {
  if (value === '') return 'legacy';
  return (
    SOURCE_WORDS[value.toLowerCase()] ??
    new f.Problem(`ожидается ${IMPORT_SOURCES.join(', ')} (или пусто — прежняя система), а не «${value.slice(0, 40)}»`)
  );
}

export const ReadingImportRow = z.object({
  account: f.column(f.accountNumber),
  meter: f.column(f.serial),
  period: f.column(f.period),
  /** As written; the reading rules parse it ("1 234,5", "1234.5"). */
  value: f.column(f.text(32)),
  date: z.optional(f.column((value) => (value === '' ? undefined : f.date(value)))),
  source: z.optional(f.column(source)),
});
export type ReadingImportRow = z.output<typeof ReadingImportRow>;

export const READING_IMPORT_COLUMNS = ['account', 'meter', 'period', 'value'] as const;

export interface ReadingsImportReport {
  /** Data records in the file. */
  total: number;
  /** Rows written (a new reading, or another value for the meter's latest month). */
  loaded: number;
  /** Rows whose value was already stored: nothing written. */
  unchanged: number;
  errors: RowError[];
  /** Accepted rows worth a second look (roll-over, unusually large consumption). */
  warnings: RowError[];
  encoding: Decoded['encoding'];
  delimiter: Delimiter;
}

interface ValidRow {
  line: number;
  row: ReadingImportRow;
}

/** The pure stage: bytes to checked rows; repeated meter-months refused after the first. */
export function parseReadingsFile(bytes: Uint8Array): {
  rows: ValidRow[];
  errors: RowError[];
  fatal?: RowError;
  total: number;
  encoding: Decoded['encoding'];
  delimiter: Delimiter;
} {
  const { text, encoding } = decode(bytes);
  const table = parseCsv(text);
  const base = { total: table.rows.length + table.errors.length, encoding, delimiter: table.delimiter };
  if (table.fatal) return { ...base, rows: [], errors: [], fatal: table.fatal };
  const missing = READING_IMPORT_COLUMNS.filter((name) => !table.columns.includes(name));
  if (missing.length > 0) {
    const reason =
      `нет ${missing.length === 1 ? 'столбца' : 'столбцов'} ${missing.join(', ')}; ` +
      `нужны: ${READING_IMPORT_COLUMNS.join(', ')} (необязательные: date, source)`;
    return { ...base, rows: [], errors: [], fatal: { line: table.headerLine, reason } };
  }
  const rows: ValidRow[] = [];
  const errors: RowError[] = [...table.errors];
  const firstLine = new Map<string, number>();
  for (const { line, values } of table.rows) {
    const parsed = ReadingImportRow.safeParse(values);
    if (!parsed.success) {
      errors.push({ line, reason: reasonOf(parsed.error) });
      continue;
    }
    const id = `${parsed.data.account}#${parsed.data.meter}#${parsed.data.period}`;
    const first = firstLine.get(id);
    if (first !== undefined) {
      errors.push({ line, reason: `показание этого счётчика за этот месяц уже есть в строке ${first} файла` });
      continue;
    }
    firstLine.set(id, line);
    rows.push({ line, row: parsed.data });
  }
  return { ...base, rows, errors };
}

/** A meter as the import judges it: the registry's record and all its readings, oldest first. */
export interface MeterHistory {
  /** `installed` (YYYY-MM-DD) is the meters import's optional column: when it was put in service. */
  meter: MeterRecord & { installed?: string };
  readings: ReadingRecord[];
}

export type RowJudgement =
  | { kind: 'refused'; reason: string }
  | { kind: 'unchanged' }
  | { kind: 'write'; reading: ReadingRecord; current?: ReadingRecord; warning?: string };

const lastDayOf = (period: string) => addDays(`${addMonths(period, 1)}-01`, -1);

/**
 * One row against its meter's stored history, at `at`: what to write, or why not. Pure: the
 * import's rules in one place, unit-tested without a database.
 */
export function judgeImportedRow(row: ReadingImportRow, history: MeterHistory, at: Date): RowJudgement {
  const refused = (reason: string): RowJudgement => ({ kind: 'refused', reason });
  const { meter, readings } = history;
  const today = moscowDate(at);
  if (row.period > periodOf(at)) return refused(`period — ${periodText(row.period)} ещё не наступил`);
  // The reading's date: given, or the end of its month (today, for the month under way).
  const takenOn = row.date ?? ([lastDayOf(row.period), today].toSorted()[0] as string);
  if (row.date !== undefined) {
    if (row.date > today) return refused(`date — ${dateText(row.date)} ещё не наступило`);
    const month = row.date.slice(0, 7);
    if (month !== row.period && month !== addMonths(row.period, 1)) {
      return refused(
        `date — показание за ${periodText(row.period)} снимают в этом месяце или в начале следующего, а не ${dateText(row.date)}`,
      );
    }
  }
  const current = readings.find((r) => r.period === row.period);
  const earlier = readings.filter((r) => r.period < row.period);
  const before = earlier.at(-1);
  const recent = earlier
    .slice(-3)
    .reverse()
    .map((r) => r.consumption);
  const average = averageConsumption(recent);
  const months = before ? Math.max(1, monthsBetween(before.period, row.period)) : 1;
  const facts: MeterFacts = {
    service: meter.service,
    digits: meter.digits,
    verifiedUntil: meter.verifiedUntil,
    installed: meter.installed,
    basis: before?.value ?? meter.initialReading,
    current: current?.value,
    expected: average?.gt(0) ? average.times(months).toFixed() : undefined,
  };
  const asked = checkReading({ raw: row.value, meter: facts, today: takenOn });
  const check = asked.ok ? asked : checkReading({ raw: row.value, confirm: true, meter: facts, today: takenOn });
  if (!check.ok) {
    const { code, message } = check.problem;
    // Name the column at fault: the meter, the reading's date (or month), or the value.
    const column =
      code === 'verification_expired'
        ? 'meter'
        : beforeInstallation(meter.installed, takenOn)
          ? row.date
            ? 'date'
            : 'period'
          : 'value';
    return refused(`${column} — ${message}`);
  }
  const accepted = check.reading;
  if (accepted.unchanged) return { kind: 'unchanged' };
  const later = readings.at(-1);
  if (later && later.period > row.period) {
    return refused(
      `period — по счётчику уже есть показание за ${periodText(later.period)}; более раннее показание ` +
        'не загружается (история загружается по порядку месяцев, исправить можно последнее показание)',
    );
  }
  if ((current?.replaced?.length ?? 0) >= MAX_REPLACEMENTS) {
    return refused(`value — показание за ${periodText(row.period)} исправляли уже ${MAX_REPLACEMENTS} раз`);
  }
  const unit = serviceById(meter.service).unit;
  const warning = asked.ok
    ? undefined
    : accepted.rollover
      ? `принято: счётчик перешёл через ноль, расход ${formatDecimal(accepted.consumption)} ${unit} — проверьте`
      : `принято: расход ${formatDecimal(accepted.consumption)} ${unit} — ` +
        `${timesMore(new Decimal(accepted.consumption), new Decimal(facts.expected ?? 1))} больше обычного ` +
        `(около ${formatDecimal(new Decimal(facts.expected ?? 0).toDecimalPlaces(3))} ${unit}) — проверьте`;
  const [year, month, day] = takenOn.split('-').map(Number) as [number, number, number];
  const reading: ReadingRecord = {
    account: meter.account,
    serial: meter.serial,
    service: meter.service,
    period: row.period,
    value: accepted.value,
    consumption: accepted.consumption,
    previous: facts.basis,
    ...(accepted.rollover ? { rollover: true } : {}),
    source: row.source ?? 'legacy',
    // When the reading was taken (noon of its date, Moscow), or received when the file has no date.
    submittedAt: row.date ? moscowInstant(year, month, day, 12).toISOString() : at.toISOString(),
    replaced: replacedHistory(current),
  };
  return { kind: 'write', reading, ...(current ? { current } : {}), ...(warning ? { warning } : {}) };
}

/** Meters of an account worked on at once; rows of one meter always in month order. */
const ACCOUNT_CONCURRENCY = 8;
const MAX_ATTEMPTS = 3;

/** The account's meters, their readings and its readings lock, read consistently: what a row is judged on. */
const accountSnapshot = (account: string): Promise<MeterReadings> => meterReadingsOf(account, { consistent: true });

function historyOf(snapshot: MeterReadings, meter: MeterRecord): MeterHistory {
  return { meter, readings: snapshot.readings.get(meter.serial) ?? [] };
}

/** Imports a readings file: bad rows come back by line, good rows are written (or already were). */
export async function importReadings(bytes: Uint8Array): Promise<ReadingsImportReport> {
  const parsed = parseReadingsFile(bytes);
  const report: ReadingsImportReport = {
    total: parsed.total,
    loaded: 0,
    unchanged: 0,
    errors: [...parsed.errors],
    warnings: [],
    encoding: parsed.encoding,
    delimiter: parsed.delimiter,
  };
  if (parsed.fatal) return { ...report, errors: [parsed.fatal] };
  const at = now();
  const byAccount = Map.groupBy(parsed.rows, (r) => r.row.account);
  const existing = await findAccounts([...byAccount.keys()]);
  await forEachConcurrently([...byAccount], ACCOUNT_CONCURRENCY, async ([account, rows]) => {
    if (!existing.has(account)) {
      for (const { line } of rows) report.errors.push({ line, reason: `account — лицевой счёт ${account} не найден` });
      return;
    }
    let snapshot = await accountSnapshot(account);
    let rev = snapshot.readingRev ?? 0;
    const meters = new Map(snapshot.meters.map((m) => [m.serial, m]));
    for (const [serial, meterRows] of Map.groupBy(rows, (r) => r.row.meter)) {
      const meter = meters.get(serial);
      if (!meter) {
        for (const { line } of meterRows) {
          report.errors.push({ line, reason: `meter — счётчика ${serial} нет в лицевом счёте ${account}` });
        }
        continue;
      }
      let history = historyOf(snapshot, meter);
      for (const { line, row } of meterRows.toSorted((a, b) => a.row.period.localeCompare(b.row.period))) {
        for (let attempt = 1; ; attempt++) {
          const judged = judgeImportedRow(row, history, at);
          if (judged.kind === 'refused') {
            report.errors.push({ line, reason: judged.reason });
            break;
          }
          if (judged.kind === 'unchanged') {
            report.unchanged++;
            break;
          }
          const write = { current: judged.current, reading: judged.reading };
          if ((await writeSubmission(account, rev, [write], { lockAlways: true })) === 'written') {
            rev++;
            report.loaded++;
            if (judged.warning) report.warnings.push({ line, reason: judged.warning });
            history = {
              meter: history.meter,
              readings: [...history.readings.filter((r) => r.period !== row.period), judged.reading].sort((a, b) =>
                a.period.localeCompare(b.period),
              ),
            };
            break;
          }
          // A resident (or another import) wrote a reading of the account meanwhile: judge again on
          // fresh data (the rows already written are in it).
          snapshot = await accountSnapshot(account);
          rev = snapshot.readingRev ?? 0;
          const fresh = snapshot.meters.find((m) => m.serial === serial);
          if (!fresh || attempt >= MAX_ATTEMPTS) {
            report.errors.push({ line, reason: 'не записано: счётчик в это время изменили; повторите импорт файла' });
            break;
          }
          history = historyOf(snapshot, fresh);
        }
      }
    }
  });
  report.errors.sort(byLine);
  report.warnings.sort(byLine);
  return report;
}
