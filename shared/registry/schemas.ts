import Decimal from 'decimal.js';
import * as z from 'zod/mini';
import { lazySchema } from '#shared/api/lazySchema';
import { isValidInn, requisiteProblems } from '#shared/epd/requisites';
import type { CsvRow, CsvTable } from '#shared/registry/csv';
import * as f from '#shared/registry/fields';
import { type RegistryKind, type RowError, reasonOf } from '#shared/registry/report';
import { COEFFICIENT_SERVICES, isServiceId, SERVICE_IDS, type ServiceId, serviceById } from '#shared/registry/services';

/**
 * One zod schema per registry file, over the row's values by lower-case column name. The columns
 * are those of the outward contract; extra columns are ignored.
 */

/** An identifier of ГИС ЖКХ: upper case, optional (empty: none). */
function gisId(pattern: RegExp, message: string) {
  return (value: string): f.Parsed<string | undefined> => {
    if (value === '') return undefined;
    const id = value.replace(/\s/g, '').toUpperCase();
    return pattern.test(id) ? id : new f.Problem(message);
  };
}

export const AccountRow = /* @__PURE__ */ lazySchema(() =>
  z
    .object({
      account: f.column(f.accountNumber),
      owner: f.column(f.text(200)),
      /** Normalised 10 digits, held in memory only until it is hashed. */
      passport: f.column(f.passport),
      address: f.column(f.text(300)),
      area: f.column(f.decimal({ min: 0, exclusive: true, max: 10_000, maxPlaces: 2, example: '54,3' })),
      residents: f.column(f.integer(0, 99)),
      services: z.optional(f.column(f.serviceList)),
      /** The norm basis when nobody lives there (ПП РФ № 354, п. 56(2)); empty or absent: 1. */
      owners: z.optional(f.column((value) => (value === '' ? 1 : f.integer(1, 99)(value)))),
      /** Services an inspection (акт обследования) found no meter can be installed for. */
      no_meter_possible: z.optional(f.column(f.meterableServiceList)),
      /** ГИС ЖКХ: the single personal account (ЕЛС, 10 characters), printed on the ЕПД when known. */
      els: z.optional(f.column(gisId(/^[0-9А-ЯЁA-Z]{10}$/, 'ЕЛС ГИС ЖКХ: 10 цифр и букв, например 80АВ123456'))),
      /** ГИС ЖКХ: the housing and utility services id (ИЖКУ): the ЕЛС, a dash and 2 digits. */
      izhku: z.optional(
        f.column(
          gisId(/^[0-9А-ЯЁA-Z]{10}-\d{2}$/, 'идентификатор ЖКУ ГИС ЖКХ: ЕЛС, дефис и 2 цифры, например 80АВ123456-01'),
        ),
      ),
    })
    .check(
      z.superRefine((row, ctx) => {
        if (row.els && row.izhku && !row.izhku.startsWith(`${row.els}-`)) {
          ctx.addIssue({ code: 'custom', path: ['izhku'], message: `не начинается с ЕЛС этого счёта (${row.els})` });
        }
      }),
    ),
);
export type AccountRow = z.output<typeof AccountRow>;

export const MeterRow = /* @__PURE__ */ lazySchema(() =>
  z
    .pipe(
      z.object({
        account: f.column(f.accountNumber),
        meter: f.column(f.serial),
        service: f.column(f.service).check(
          z.superRefine((service, ctx) => {
            if (!serviceById(service).meterable) {
              ctx.addIssue({ code: 'custom', message: `у услуги ${service} не бывает индивидуального прибора учёта` });
            }
          }),
        ),
        reading: f.column(f.decimal({ min: 0, maxPlaces: 3, example: '123,456' })),
        verified_until: f.column(f.date),
        digits: z.optional(f.column(f.integer(3, 9))),
        /** When the meter was put in service; empty or absent: the date of the import (kept on re-import). */
        installed: z.optional(f.column((value) => (value === '' ? undefined : f.date(value)))),
      }),
      z.transform(({ verified_until, digits, installed, ...row }) => ({
        ...row,
        verifiedUntil: verified_until,
        digits: digits ?? serviceById(row.service).meterDigits ?? 5,
        ...(installed ? { installed } : {}),
      })),
    )
    .check(
      z.superRefine((row, ctx) => {
        if (new Decimal(row.reading).gte(new Decimal(10).pow(row.digits))) {
          ctx.addIssue({
            code: 'custom',
            path: ['reading'],
            message: `больше, чем помещается в ${row.digits} разрядов счётного механизма`,
          });
        }
      }),
    ),
);
export type MeterRow = z.output<typeof MeterRow>;

/**
 * Services whose volume needs no norm: maintenance is paid per m² of the area, waste per resident
 * (or owner); an empty `norm` means 1 unit per m² or per person.
 */
const NORM_OPTIONAL: readonly ServiceId[] = ['maintenance', 'waste'];

export const TariffRow = /* @__PURE__ */ lazySchema(() =>
  z.pipe(
    z
      .object({
        service: f.column(f.service),
        unit: f.column(f.unit),
        price: f.column(f.decimal({ min: 0, exclusive: true, max: 1_000_000, maxPlaces: 5, example: '34,12' })),
        norm: f.column((value) =>
          value === '' ? undefined : f.decimal({ min: 0, max: 100_000, maxPlaces: 6, example: '3,5' })(value),
        ),
        from: f.column(f.period),
        coefficient: z.optional(
          f.column((value) =>
            value === '' ? undefined : f.decimal({ min: 1, max: 10, maxPlaces: 4, example: '1,5' })(value),
          ),
        ),
      })
      .check(
        z.superRefine((row, ctx) => {
          if (row.norm === undefined && !NORM_OPTIONAL.includes(row.service)) {
            ctx.addIssue({
              code: 'custom',
              path: ['norm'],
              message: `не заполнено; без норматива можно только ${NORM_OPTIONAL.join(' и ')}`,
            });
          }
          if (row.coefficient !== undefined && !COEFFICIENT_SERVICES.includes(row.service)) {
            ctx.addIssue({
              code: 'custom',
              path: ['coefficient'],
              message:
                'повышающий коэффициент применяется только к холодной и горячей воде и электроэнергии ' +
                `(${COEFFICIENT_SERVICES.join(', ')}), а не к ${row.service}`,
            });
          }
        }),
      ),
    z.transform(({ norm, ...row }) => ({ ...row, norm: norm ?? '1' })),
  ),
);
export type TariffRow = z.output<typeof TariffRow>;

const optional =
  <T>(parse: (value: string) => f.Parsed<T>) =>
  (value: string) =>
    value === '' ? undefined : parse(value);

/** A provider's code: how the file names it, stable across imports (the key of its item). */
function providerCode(value: string): f.Parsed<string> {
  if (value === '') return new f.Problem('не заполнено');
  const code = value.toLowerCase();
  return /^[a-z0-9][a-z0-9_-]{0,31}$/.test(code)
    ? code
    : new f.Problem('код латиницей, цифрами, _ и -, до 32 знаков, например vodokanal');
}

const digitsOnly = (label: string, length: number | readonly number[]) => (value: string) => {
  const plain = value.replace(/[\s-]/g, '');
  const lengths = typeof length === 'number' ? [length] : length;
  return /^\d+$/.test(plain) && lengths.includes(plain.length)
    ? plain
    : new f.Problem(`${label}: ${lengths.join(' или ')} цифр`);
};

/**
 * Providers (исполнители) of the services, as the ЕПД names them (Приказ Минстроя № 43/пр): one
 * row per provider with the services it renders (space-separated); the centre takes the money
 * as their payment agent. Bank requisites are optional; when given, they must pass the checks
 * banking apps run (treasury accounts of municipal providers included).
 */
export const ProviderRow = /* @__PURE__ */ lazySchema(() =>
  z.pipe(
    z
      .object({
        provider: f.column(providerCode),
        name: f.column(f.text(200)),
        inn: f.column(digitsOnly('ИНН', [10, 12])),
        kpp: z.optional(f.column(optional(digitsOnly('КПП', 9)))),
        address: f.column(f.text(300)),
        phone: f.column(f.text(60)),
        email: z.optional(
          f.column(
            optional((value) =>
              /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value) && value.length <= 100
                ? value
                : new f.Problem('ожидается адрес электронной почты'),
            ),
          ),
        ),
        services: f.column((value) => {
          if (value === '') return new f.Problem('не заполнено: услуги через пробел, например cold_water wastewater');
          // One provider sells both single- and two-rate electricity: unlike an account's list, both may appear.
          const ids = value.split(/[\s,]+/).filter(Boolean);
          const unknown = ids.filter((id) => !isServiceId(id.toLowerCase()));
          if (unknown.length > 0)
            return new f.Problem(`неизвестные услуги ${unknown.join(', ')}; допустимы: ${SERVICE_IDS.join(', ')}`);
          return [...new Set(ids.map((id) => id.toLowerCase() as ServiceId))];
        }),
        bank: z.optional(f.column(optional(f.text(100)))),
        bic: z.optional(f.column(optional(digitsOnly('БИК', 9)))),
        correspondent_account: z.optional(f.column(optional(digitsOnly('корр. счёт', 20)))),
        account: z.optional(f.column(optional(digitsOnly('счёт', 20)))),
      })
      .check(
        z.superRefine((row, ctx) => {
          if (!isValidInn(row.inn))
            ctx.addIssue({ code: 'custom', path: ['inn'], message: 'контрольные цифры ИНН не сходятся' });
          const given = [row.bank, row.bic, row.correspondent_account, row.account].filter((v) => v !== undefined);
          if (given.length === 0) return;
          if (given.length < 4) {
            ctx.addIssue({
              code: 'custom',
              path: ['bank'],
              message: 'реквизиты — все четыре столбца: bank, bic, correspondent_account, account (или ни одного)',
            });
            return;
          }
          const problems = requisiteProblems({
            inn: row.inn,
            kpp: row.kpp,
            bic: row.bic as string,
            correspondentAccount: row.correspondent_account as string,
            settlementAccount: row.account as string,
          });
          for (const [column, message] of Object.entries(problems)) {
            if (column !== 'inn') ctx.addIssue({ code: 'custom', path: [column], message });
          }
        }),
      ),
    z.transform((row) => ({
      provider: row.provider,
      name: row.name,
      inn: row.inn,
      ...(row.kpp ? { kpp: row.kpp } : {}),
      address: row.address,
      phone: row.phone,
      ...(row.email ? { email: row.email } : {}),
      services: row.services as ServiceId[],
      ...(row.bank && row.bic && row.correspondent_account && row.account
        ? {
            bank: {
              name: row.bank,
              bic: row.bic,
              correspondentAccount: row.correspondent_account,
              settlementAccount: row.account,
            },
          }
        : {}),
    })),
  ),
);
export type ProviderRow = z.output<typeof ProviderRow>;

const SCHEMAS = { accounts: AccountRow, meters: MeterRow, tariffs: TariffRow, providers: ProviderRow } as const;

export interface RowOf {
  accounts: AccountRow;
  meters: MeterRow;
  tariffs: TariffRow;
  providers: ProviderRow;
}

/**
 * Columns every file of a kind must have (optional: services, owners, no_meter_possible; digits,
 * installed; coefficient; extra: ignored).
 */
export const REQUIRED_COLUMNS: Record<RegistryKind, readonly string[]> = {
  accounts: ['account', 'owner', 'passport', 'address', 'area', 'residents'],
  meters: ['account', 'meter', 'service', 'reading', 'verified_until'],
  tariffs: ['service', 'unit', 'price', 'norm', 'from'],
  providers: ['provider', 'name', 'inn', 'address', 'phone', 'services'],
};

/** The identity of a row within its file: two rows with the same identity would write one item. */
const IDENTITY: { [K in RegistryKind]: (row: RowOf[K]) => string } = {
  accounts: (row) => row.account,
  meters: (row) => `${row.account}#${row.meter}`,
  tariffs: (row) => `${row.service}#${row.from}`,
  providers: (row) => row.provider,
};

const IDENTITY_NAME: Record<RegistryKind, string> = {
  accounts: 'лицевой счёт',
  meters: 'прибор учёта этого счёта',
  tariffs: 'тариф на эту услугу с этого месяца',
  providers: 'исполнитель с этим кодом',
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

/**
 * The pure stage of an import: every row checked against its kind's schema, and repeated rows
 * (the same account, meter or tariff twice in one file) refused after the first.
 */
export function validateRows<K extends RegistryKind>(kind: K, table: CsvTable): Validation<RowOf[K]> {
  const fatal = checkColumns(kind, table);
  if (fatal) return { rows: [], errors: [], fatal };
  const schema = SCHEMAS[kind] as unknown as z.ZodMiniType<RowOf[K], Record<string, string>>;
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
