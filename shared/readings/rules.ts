import Decimal from 'decimal.js';
import { dateText, formatNumber, timesText } from '#shared/format';
import { type ServiceId, serviceById } from '#shared/registry/services';

/**
 * The rules a submitted meter reading must pass, as pure functions: the handlers, the tests and
 * the web page (which shows the consumption and the warnings as the resident types) run the same
 * code. Nothing here reads the clock, the database or the configuration, so it is safe to bundle
 * for the browser (decimal.js, shared/format.ts and the service list only).
 */

/**
 * Decimal places a resident may enter, per service: water and gas counters show litres (3 places
 * of m³), heat meters show 3 places of Гкал, electricity meters show tenths of a kWh (one place,
 * the red digit; most residents type whole kWh). The stored value is normalised to these places.
 */
export const READING_DECIMALS: Partial<Record<ServiceId, number>> = {
  cold_water: 3,
  hot_water: 3,
  gas: 3,
  heating: 3,
  electricity: 1,
  electricity_day: 1,
  electricity_night: 1,
};

export function decimalsOf(service: ServiceId): number {
  return READING_DECIMALS[service] ?? 3;
}

/** A value implying more than this many times the expected consumption asks for a confirmation. */
export const TYPO_FACTOR = 3;

/**
 * A value below the previous one is a roll-over past the counter's capacity only when the
 * consumption that implies is under this share of the capacity (99 990 → 12 on a 5-digit water
 * meter is; 500 → 400 is not: that would be 99 900 m³).
 */
export const ROLLOVER_MAX_SHARE = new Decimal('0.1');

/** Everything the rules need to know about one meter for one period. */
export interface MeterFacts {
  service: ServiceId;
  /** Digit capacity of the counter's integer part: it rolls over at 10^digits. */
  digits: number;
  /** Last day of the verification interval, `YYYY-MM-DD`. */
  verifiedUntil: string;
  /**
   * When the meter was put in service, `YYYY-MM-DD` (absent on meters imported before the column
   * existed): a reading taken before it belongs to no meter of ours.
   */
  installed?: string | undefined;
  /** The value this period's consumption is counted from: the last accepted value before it. */
  basis: string;
  /** The value already accepted for this period (a resubmission replaces it). */
  current?: string | undefined;
  /**
   * The consumption expected since the basis: the average of up to three recent periods (or a
   * norm-based guess) times the months since the basis. Absent: no typo guard.
   */
  expected?: string | undefined;
  /** Where `expected` comes from: the resident's own average, or the norm (the message says which). */
  expectedFrom?: 'average' | 'norm' | undefined;
}

/** «в 30 раз», «в 3,4 раза»: the ratio to one decimal place below 10 times, whole from 10 on. */
export function timesMore(consumption: Decimal, expected: Decimal): string {
  const ratio = consumption.div(expected);
  return timesText(
    ratio
      .toDecimalPlaces(ratio.gte(10) ? 0 : 1, Decimal.ROUND_HALF_UP)
      .toFixed()
      .replace(/\.0$/, ''),
  );
}

export type ReadingProblem =
  | { code: 'invalid_reading'; message: string }
  | { code: 'reading_decreased'; message: string }
  | { code: 'verification_expired'; message: string }
  | { code: 'confirmation_required'; reason: 'rollover' | 'large_consumption'; message: string };

export interface AcceptedReading {
  /** Normalised to the service's decimal places, `.` as separator. */
  value: string;
  consumption: string;
  rollover: boolean;
  /** The same value as already accepted for this period: nothing to write. */
  unchanged: boolean;
}

export type ReadingCheck = { ok: true; reading: AcceptedReading } | { ok: false; problem: ReadingProblem };

/** "12345.60" → "12 345,60", as residents read numbers (a string keeps its decimal places). */
export function formatDecimal(value: string | Decimal): string {
  return formatNumber(typeof value === 'string' && /^\d+(\.\d+)?$/.test(value) ? value : new Decimal(value).toFixed());
}

const unitOf = (service: ServiceId) => serviceById(service).unit;
const invalid = (message: string): ReadingCheck => ({ ok: false, problem: { code: 'invalid_reading', message } });

/**
 * Reads what a resident typed: digits with `,` or `.` before the decimals ("12,5" and "12.5" are
 * the same), spaces between digit groups allowed, leading zeros as the counter shows them. No sign,
 * no exponent, no NaN: "-3", "1e9" and "NaN" are refused with a message saying what to type.
 */
export function parseReadingValue(
  raw: string,
  service: ServiceId,
  digits: number,
): { ok: true; value: Decimal } | { ok: false; message: string } {
  const text = raw.trim().replace(/(\d)[\s\u00a0\u202f](?=\d)/g, '$1');
  if (text === '') return { ok: false, message: 'Введите показание счётчика.' };
  if (/^[-−–]/.test(text)) return { ok: false, message: 'Показание не может быть отрицательным.' };
  if (!/^\d+(?:[.,]\d+)?$/.test(text)) {
    return { ok: false, message: 'Введите показание цифрами, как на счётчике, например 123,45.' };
  }
  const value = new Decimal(text.replace(',', '.'));
  const places = decimalsOf(service);
  if (value.decimalPlaces() > places) {
    return {
      ok: false,
      message:
        places === 1
          ? 'После запятой — не больше одной цифры.'
          : `После запятой — не больше ${places} цифр (${'0'.repeat(places - 1)}1 ${unitOf(service)}).`,
    };
  }
  if (value.gte(new Decimal(10).pow(digits))) {
    const largest = new Decimal(10).pow(digits).minus(new Decimal(10).pow(-places)).toFixed(places);
    return {
      ok: false,
      message: `На счётчике ${digits} цифр до запятой: показание не может быть больше ${formatDecimal(largest)}.`,
    };
  }
  return { ok: true, value };
}

/** Consumption from `basis` to `value`; a smaller value means the counter passed 10^digits. */
export function consumptionBetween(
  basis: string | Decimal,
  value: string | Decimal,
  digits: number,
): { consumption: Decimal; rollover: boolean } {
  const from = new Decimal(basis);
  const to = new Decimal(value);
  if (to.gte(from)) return { consumption: to.minus(from), rollover: false };
  return { consumption: to.plus(new Decimal(10).pow(digits)).minus(from), rollover: true };
}

/** The average monthly consumption of up to the three most recent periods; undefined without any. */
export function averageConsumption(recent: readonly string[]): Decimal | undefined {
  const last = recent.slice(0, 3);
  if (last.length === 0) return undefined;
  return last.reduce((sum, c) => sum.plus(c), new Decimal(0)).dividedBy(last.length);
}

/** Whether the meter's verification (поверка) has passed on `today` (`YYYY-MM-DD`, Moscow). */
export function verificationExpired(verifiedUntil: string, today: string): boolean {
  return today > verifiedUntil;
}

/** Whether a reading taken on `date` (`YYYY-MM-DD`, Moscow) predates the meter's installation. */
export function beforeInstallation(installed: string | undefined, date: string): boolean {
  return installed !== undefined && date < installed;
}

/**
 * Checks one submitted value against its meter. `today` is the day the reading was taken: the
 * portal's today, or the date an imported reading carries. `confirm` is the resident's "yes, the
 * value is right" after a roll-over or typo-guard question; it never overrides a hard refusal.
 */
export function checkReading(input: {
  raw: string;
  confirm?: boolean | undefined;
  meter: MeterFacts;
  today: string;
}): ReadingCheck {
  const { meter, today } = input;
  const unit = unitOf(meter.service);
  if (verificationExpired(meter.verifiedUntil, today)) {
    return {
      ok: false,
      problem: {
        code: 'verification_expired',
        message:
          `Срок поверки счётчика истёк ${dateText(meter.verifiedUntil)}: показания по нему не принимаются. ` +
          'Поверьте или замените счётчик и обратитесь в РАЦ с документом о поверке (установке).',
      },
    };
  }
  if (beforeInstallation(meter.installed, today)) {
    return invalid(
      `Счётчик введён в эксплуатацию ${dateText(meter.installed as string)}: ` +
        'показания, снятые до этой даты, не принимаются.',
    );
  }
  const parsed = parseReadingValue(input.raw, meter.service, meter.digits);
  if (!parsed.ok) return invalid(parsed.message);
  const places = decimalsOf(meter.service);
  const value = parsed.value;
  const normalised = value.toFixed(places);
  const { consumption, rollover } = consumptionBetween(meter.basis, value, meter.digits);
  const accepted: AcceptedReading = {
    value: normalised,
    consumption: consumption.toFixed(places),
    rollover,
    unchanged: meter.current !== undefined && new Decimal(meter.current).eq(value),
  };
  // The value already accepted for this period was checked (and confirmed) when it came in.
  if (accepted.unchanged) return { ok: true, reading: accepted };
  if (rollover) {
    const capacity = new Decimal(10).pow(meter.digits);
    if (consumption.gt(capacity.times(ROLLOVER_MAX_SHARE))) {
      return {
        ok: false,
        problem: {
          code: 'reading_decreased',
          message:
            `Показание меньше предыдущего (${formatDecimal(meter.basis)} ${unit}). Проверьте цифры; ` +
            'если счётчик заменили, обратитесь в РАЦ, чтобы зарегистрировать новый.',
        },
      };
    }
    if (!input.confirm) {
      return {
        ok: false,
        problem: {
          code: 'confirmation_required',
          reason: 'rollover',
          message:
            `Показание меньше предыдущего (${formatDecimal(meter.basis)} ${unit}). Если счётчик перешёл через ` +
            `${formatDecimal(capacity.minus(1))} и начал отсчёт с нуля, расход составит ${formatDecimal(accepted.consumption)} ${unit}. ` +
            'Подтвердите, что показание верное.',
        },
      };
    }
  }
  if (meter.expected !== undefined && !input.confirm) {
    const expected = new Decimal(meter.expected);
    if (expected.gt(0) && consumption.gt(expected.times(TYPO_FACTOR))) {
      return {
        ok: false,
        problem: {
          code: 'confirmation_required',
          reason: 'large_consumption',
          message:
            `Расход ${formatDecimal(accepted.consumption)} ${unit} — ${timesMore(consumption, expected)} больше ` +
            (meter.expectedFrom === 'norm'
              ? `норматива (${formatDecimal(expected.toDecimalPlaces(places))} ${unit}). `
              : `обычного (около ${formatDecimal(expected.toDecimalPlaces(places))} ${unit}). `) +
            'Проверьте показание и подтвердите, если оно верное.',
        },
      };
    }
  }
  return { ok: true, reading: accepted };
}
