import Decimal from 'decimal.js';
import * as z from 'zod';
import type { CsvRow, CsvTable } from '#shared/registry/csv';
import * as f from '#shared/registry/fields';
import type { RegistryKind, RowError } from '#shared/registry/report';
import { serviceById } from '#shared/registry/services';

/**
 * One zod schema per registry file, over the row's values by lower-case column name. The columns
 * are those of the outward contract; extra columns are ignored.
 */

export const AccountRow = z.object({
  account: f.column(f.accountNumber),
  owner: f.column(f.text(200)),
  /** Normalised 10 digits, held in memory only until it is hashed. */
  passport: f.column(f.passport),
  address: f.column(f.text(300)),
  area: f.column(f.decimal({ min: 0, exclusive: true, max: 10_000, maxPlaces: 2, example: '54,3' })),
  residents: f.column(f.integer(0, 99)),
  services: f.column(f.serviceList).optional(),
});
export type AccountRow = z.output<typeof AccountRow>;

export const MeterRow = z
  .object({
    account: f.column(f.accountNumber),
    meter: f.column(f.serial),
    service: f.column(f.service).superRefine((service, ctx) => {
      if (!serviceById(service).meterable) {
        ctx.addIssue({ code: 'custom', message: `у услуги ${service} не бывает индивидуального прибора учёта` });
      }
    }),
    reading: f.column(f.decimal({ min: 0, maxPlaces: 3, example: '123,456' })),
    verified_until: f.column(f.date),
    digits: f.column(f.integer(3, 9)).optional(),
  })
  .transform(({ verified_until, digits, ...row }) => ({
    ...row,
    verifiedUntil: verified_until,
    digits: digits ?? serviceById(row.service).meterDigits ?? 5,
  }))
  .superRefine((row, ctx) => {
    if (new Decimal(row.reading).gte(new Decimal(10).pow(row.digits))) {
      ctx.addIssue({
        code: 'custom',
        path: ['reading'],
        message: `больше, чем помещается в ${row.digits} разрядов счётного механизма`,
      });
    }
  });
export type MeterRow = z.output<typeof MeterRow>;

export const TariffRow = z.object({
  service: f.column(f.service),
  unit: f.column(f.unit),
  price: f.column(f.decimal({ min: 0, exclusive: true, max: 1_000_000, maxPlaces: 5, example: '34,12' })),
  norm: f.column(f.decimal({ min: 0, max: 100_000, maxPlaces: 6, example: '3,5' })),
  from: f.column(f.period),
  coefficient: f
    .column((value) => (value === '' ? undefined : f.decimal({ min: 1, max: 10, maxPlaces: 4, example: '1,5' })(value)))
    .optional(),
});
export type TariffRow = z.output<typeof TariffRow>;

const SCHEMAS = { accounts: AccountRow, meters: MeterRow, tariffs: TariffRow } as const;

export interface RowOf {
  accounts: AccountRow;
  meters: MeterRow;
  tariffs: TariffRow;
}

/** Columns every file of a kind must have (optional: services, digits, coefficient; extra: ignored). */
export const REQUIRED_COLUMNS: Record<RegistryKind, readonly string[]> = {
  accounts: ['account', 'owner', 'passport', 'address', 'area', 'residents'],
  meters: ['account', 'meter', 'service', 'reading', 'verified_until'],
  tariffs: ['service', 'unit', 'price', 'norm', 'from'],
};

/** The identity of a row within its file: two rows with the same identity would write one item. */
const IDENTITY: { [K in RegistryKind]: (row: RowOf[K]) => string } = {
  accounts: (row) => row.account,
  meters: (row) => `${row.account}#${row.meter}`,
  tariffs: (row) => `${row.service}#${row.from}`,
};

const IDENTITY_NAME: Record<RegistryKind, string> = {
  accounts: 'лицевой счёт',
  meters: 'прибор учёта этого счёта',
  tariffs: 'тариф на эту услугу с этого месяца',
};

export interface ValidRow<T> {
  line: number;
  row: T;
}

export interface Validation<T> {
  rows: ValidRow<T>[];
  errors: RowError[];
  /** The header lacks a required column: no row can be judged. */
  fatal?: RowError;
}

/** The header's problem, if a required column is missing. */
export function checkColumns(kind: RegistryKind, table: CsvTable): RowError | undefined {
  const missing = REQUIRED_COLUMNS[kind].filter((name) => !table.columns.includes(name));
  if (missing.length === 0) return undefined;
  const delimiterHint = table.columns.length === 1 ? ' (в заголовке один столбец: разделитель — «;» или «,»?)' : '';
  return {
    line: table.headerLine,
    reason:
      `нет ${missing.length === 1 ? 'столбца' : 'столбцов'} ${missing.join(', ')}; ` +
      `нужны: ${REQUIRED_COLUMNS[kind].join(', ')}${delimiterHint}`,
  };
}

/** Reasons of a row, one per column, each naming its column: "area — не заполнено". */
function reasonOf(error: z.ZodError): string {
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const issue of error.issues) {
    const name = String(issue.path[0] ?? '');
    if (seen.has(name)) continue;
    seen.add(name);
    parts.push(name ? `${name} — ${issue.message}` : issue.message);
  }
  return parts.join('; ');
}

/**
 * The pure stage of an import: every row checked against its kind's schema, and repeated rows
 * (the same account, meter or tariff twice in one file) refused after the first.
 */
export function validateRows<K extends RegistryKind>(kind: K, table: CsvTable): Validation<RowOf[K]> {
  const fatal = checkColumns(kind, table);
  if (fatal) return { rows: [], errors: [], fatal };
  const schema = SCHEMAS[kind] as unknown as z.ZodType<RowOf[K], Record<string, string>>;
  const identity = IDENTITY[kind] as (row: RowOf[K]) => string;
  const firstLine = new Map<string, number>();
  const rows: ValidRow<RowOf[K]>[] = [];
  const errors: RowError[] = [...table.errors];
  for (const { line, values } of table.rows as CsvRow[]) {
    const parsed = schema.safeParse(values);
    if (!parsed.success) {
      errors.push({ line, reason: reasonOf(parsed.error) });
      continue;
    }
    const id = identity(parsed.data);
    const first = firstLine.get(id);
    if (first !== undefined) {
      errors.push({ line, reason: `${IDENTITY_NAME[kind]} уже есть в строке ${first} файла` });
      continue;
    }
    firstLine.set(id, line);
    rows.push({ line, row: parsed.data });
  }
  return { rows, errors };
}
