import Decimal from 'decimal.js';
import * as z from 'zod/mini';
import { isAccountNumber } from '#shared/format';
import { normalisePassport } from '#shared/passport';
import { isServiceId, SERVICE_IDS, type ServiceId, serviceById } from '#shared/registry/services';
import { PERIOD_RE } from '#shared/time';

/**
 * Parsers of single CSV values, with the operator's Russian message when a value is wrong. Each
 * takes the trimmed text of a cell and returns the value or a `Problem`.
 */
export class Problem {
  constructor(readonly message: string) {}
}

export type Parsed<T> = T | Problem;

/** A value quoted back to the operator, cut so that one bad cell cannot flood the report. */
function quote(value: string): string {
  return `«${value.length > 40 ? `${value.slice(0, 40)}…` : value}»`;
}

const EMPTY = new Problem('не заполнено');

export function text(maxLength: number) {
  return (value: string): Parsed<string> => {
    if (value === '') return EMPTY;
    if (value.length > maxLength) return new Problem(`длиннее ${maxLength} символов`);
    // Collapse the double spaces and line breaks spreadsheets leave inside names and addresses.
    return value.replace(/\s+/g, ' ');
  };
}

export function accountNumber(value: string): Parsed<string> {
  if (value === '') return EMPTY;
  return isAccountNumber(value) ? value : new Problem(`ожидается номер лицевого счёта из 6 цифр, а не ${quote(value)}`);
}

/** The normalised 10 digits; the value itself never appears in a message (152-ФЗ). */
export function passport(value: string): Parsed<string> {
  if (value === '') return EMPTY;
  return normalisePassport(value) ?? new Problem('ожидаются серия и номер паспорта: 10 цифр, например 1405 123456');
}

export interface DecimalRule {
  /** Smallest allowed value. */
  min: number;
  /** Whether `min` itself is excluded (a price must be above zero). */
  exclusive?: boolean;
  max?: number;
  maxPlaces: number;
  example: string;
}

/**
 * A non-negative decimal as a normalised string ("54,30" → "54.3"): a decimal comma, as a Russian
 * Excel writes it, or a point; spaces between thousands ("2 695,05") are dropped. Never a float.
 */
export function decimal(rule: DecimalRule) {
  return (value: string): Parsed<string> => {
    if (value === '') return EMPTY;
    const plain = value.replace(/[\s\u00a0\u202f]/g, '').replace(',', '.');
    if (/^-\d/.test(plain)) return new Problem('не может быть отрицательным');
    if (!/^\d+(\.\d+)?$/.test(plain))
      return new Problem(`ожидается число, например ${rule.example}, а не ${quote(value)}`);
    const number = new Decimal(plain);
    if (number.decimalPlaces() > rule.maxPlaces) {
      return new Problem(`не более ${rule.maxPlaces} знаков после запятой: ${quote(value)}`);
    }
    if (rule.exclusive ? number.lte(rule.min) : number.lt(rule.min)) {
      return new Problem(rule.exclusive ? `должно быть больше ${rule.min}` : `должно быть не меньше ${rule.min}`);
    }
    if (rule.max !== undefined && number.gt(rule.max)) return new Problem(`должно быть не больше ${rule.max}`);
    return number.toFixed();
  };
}

export function integer(min: number, max: number) {
  return (value: string): Parsed<number> => {
    if (value === '') return EMPTY;
    if (!/^\d+$/.test(value)) return new Problem(`ожидается целое число от ${min} до ${max}, а не ${quote(value)}`);
    const n = Number(value);
    return n >= min && n <= max ? n : new Problem(`ожидается целое число от ${min} до ${max}, а не ${quote(value)}`);
  };
}

export function service(value: string): Parsed<ServiceId> {
  if (value === '') return EMPTY;
  const id = value.toLowerCase();
  return isServiceId(id) ? id : new Problem(`неизвестная услуга ${quote(value)}; допустимы: ${SERVICE_IDS.join(', ')}`);
}

/** Services separated by spaces; empty means "every service with a tariff" (`undefined`). */
export function serviceList(value: string): Parsed<ServiceId[] | undefined> {
  if (value === '') return undefined;
  const ids: ServiceId[] = [];
  const unknown: string[] = [];
  for (const item of value.split(/[\s,]+/).filter(Boolean)) {
    const id = item.toLowerCase();
    if (!isServiceId(id)) unknown.push(item);
    else if (!ids.includes(id)) ids.push(id);
  }
  if (unknown.length > 0) {
    return new Problem(`неизвестные услуги ${unknown.map(quote).join(', ')}; допустимы: ${SERVICE_IDS.join(', ')}`);
  }
  if (ids.includes('electricity') && (ids.includes('electricity_day') || ids.includes('electricity_night'))) {
    return new Problem('electricity (однотарифный учёт) нельзя сочетать с electricity_day и electricity_night');
  }
  return ids;
}

/** Services separated by spaces, each one a meter can exist for; empty: none (`undefined`). */
export function meterableServiceList(value: string): Parsed<ServiceId[] | undefined> {
  const ids = serviceList(value);
  if (ids instanceof Problem || ids === undefined) return ids;
  const notMeterable = ids.filter((id) => !serviceById(id).meterable);
  if (notMeterable.length > 0) {
    return new Problem(`у услуг ${notMeterable.join(', ')} не бывает индивидуального прибора учёта`);
  }
  return ids;
}

/** A calendar date `YYYY-MM-DD`; `DD.MM.YYYY`, as Russian Excel shows dates, is accepted too. */
export function date(value: string): Parsed<string> {
  if (value === '') return EMPTY;
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const ru = /^(\d{2})\.(\d{2})\.(\d{4})$/.exec(value);
  const [year, month, day] = iso
    ? [Number(iso[1]), Number(iso[2]), Number(iso[3])]
    : ru
      ? [Number(ru[3]), Number(ru[2]), Number(ru[1])]
      : [Number.NaN, Number.NaN, Number.NaN];
  const at = new Date(Date.UTC(year, month - 1, day));
  if (Number.isNaN(at.getTime()) || at.getUTCMonth() !== month - 1 || at.getUTCDate() !== day || year < 1900) {
    return new Problem(`ожидается дата ГГГГ-ММ-ДД, например 2031-06-30, а не ${quote(value)}`);
  }
  return at.toISOString().slice(0, 10);
}

export function period(value: string): Parsed<string> {
  if (value === '') return EMPTY;
  return PERIOD_RE.test(value) ? value : new Problem(`ожидается месяц ГГГГ-ММ, например 2026-01, а не ${quote(value)}`);
}

/**
 * Spellings of the tariff units, to the one printed on the ЕПД. Windows-1251 has no ² or ³, so
 * files in it say "м3" or "куб.м"; the key is lower case without spaces, dots and stars.
 */
const UNIT_SPELLINGS: Record<string, string> = {
  м3: 'м³',
  'м³': 'м³',
  кубм: 'м³',
  мкуб: 'м³',
  м2: 'м²',
  'м²': 'м²',
  квм: 'м²',
  мкв: 'м²',
  квтч: 'кВт·ч',
  квт·ч: 'кВт·ч',
  гкал: 'Гкал',
  чел: 'чел.',
};

/** A tariff unit: the known spellings become the ЕПД's; anything else is kept as written. */
export function unit(value: string): Parsed<string> {
  if (value === '') return EMPTY;
  if (value.length > 20) return new Problem('длиннее 20 символов');
  return UNIT_SPELLINGS[value.toLowerCase().replace(/[\s.*/-]/g, '')] ?? value;
}

/** A meter serial: it becomes part of a key, so `#` and control characters are refused. */
export function serial(value: string): Parsed<string> {
  if (value === '') return EMPTY;
  if (value.length > 40) return new Problem('длиннее 40 символов');
  return /^[\p{L}\p{N}][\p{L}\p{N} ._/-]*$/u.test(value)
    ? value
    : new Problem(`заводской номер из букв, цифр, пробелов и знаков . _ / -, а не ${quote(value)}`);
}

/** A zod schema of one column from a parser: the zod issue carries the parser's message. */
export function column<T>(parse: (value: string) => Parsed<T>) {
  return z.pipe(
    z.string(),
    z.transform((raw: string, ctx): T => {
      const result = parse(raw.trim());
      if (result instanceof Problem) {
        ctx.issues.push({ code: 'custom', message: result.message, input: raw });
        return z.NEVER;
      }
      return result;
    }),
  );
}
