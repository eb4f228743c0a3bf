/**
 * How numbers, money, months, periods and dates are written in Russian — once, for the API, the
 * mails, the CLI, the ЕПД, the statement CSV and the site (web/src/format.ts re-exports it), so a
 * file a resident downloads says what the screen says. Pure, no dependencies: it is bundled into
 * the site, so nothing Node-only may be imported here.
 */

export const NBSP = '\u00a0';

/** An account number as the registry and every request write it: 6 digits. */
export const ACCOUNT_NUMBER = /^\d{6}$/;

/** What a resident is told when the account number is not that. */
export const ACCOUNT_NUMBER_MESSAGE = 'Номер лицевого счёта — 6 цифр';

export function isAccountNumber(value: string): boolean {
  return ACCOUNT_NUMBER.test(value);
}

/** Month names in the nominative, as a title: «Январь» … «Декабрь». */
export const MONTHS = [
  'Январь',
  'Февраль',
  'Март',
  'Апрель',
  'Май',
  'Июнь',
  'Июль',
  'Август',
  'Сентябрь',
  'Октябрь',
  'Ноябрь',
  'Декабрь',
] as const;

/** Months in the genitive («с января», «2 января»). */
export const GENITIVE_MONTHS = [
  'января',
  'февраля',
  'марта',
  'апреля',
  'мая',
  'июня',
  'июля',
  'августа',
  'сентября',
  'октября',
  'ноября',
  'декабря',
] as const;

const PREPOSITIONAL = [
  'январе',
  'феврале',
  'марте',
  'апреле',
  'мае',
  'июне',
  'июле',
  'августе',
  'сентябре',
  'октябре',
  'ноябре',
  'декабре',
] as const;

/** `YYYY-MM` with the month in the given case; an unreadable month is shown as it came. */
function periodIn(names: readonly string[], period: string): string {
  const [year, month] = period.split('-');
  return `${names[Number(month) - 1] ?? month} ${year}`;
}

/** "2026-10" → "Октябрь 2026". */
export function periodTitle(period: string): string {
  return periodIn(MONTHS, period);
}

const MONTHS_IN_TEXT = MONTHS.map((m) => m.toLowerCase());

/** "2026-10" → "октябрь 2026", inside a sentence («показания за октябрь 2026»). */
export function periodText(period: string): string {
  return periodIn(MONTHS_IN_TEXT, period);
}

/** "2026-10" → "октября 2026", as in «с октября 2026». */
export function periodGenitive(period: string): string {
  return periodIn(GENITIVE_MONTHS, period);
}

/** "2026-10" → "октябре 2026", as in «в октябре 2026». */
export function periodPrepositional(period: string): string {
  return periodIn(PREPOSITIONAL, period);
}

/** `2026-11-25` → «25.11.2026», the way Russian texts write a date. */
export function dateText(date: string): string {
  return date.split('-').reverse().join('.');
}

/** "1234567" → "1 234 567": thousands apart by non-breaking spaces, so a number never splits. */
export function groupDigits(whole: string): string {
  return whole.replace(/\B(?=(\d{3})+(?!\d))/g, NBSP);
}

/** A decimal string with grouped thousands and a decimal comma: "15234.6" → "15 234,6". */
export function formatNumber(value: string): string {
  const [whole = '', fraction] = value.split('.');
  const grouped = groupDigits(whole);
  return fraction ? `${grouped},${fraction}` : grouped;
}

/**
 * How many times more, with «раз» agreeing as Russian wants it: "30" → «в 30 раз», "2" → «в 2 раза»,
 * "21" → «в 21 раз», "3.5" → «в 3,5 раза» (a fraction takes the genitive singular).
 */
export function timesText(times: string): string {
  const [whole = '', fraction] = times.split('.');
  const n = Number(whole);
  const few = !fraction && n % 10 >= 2 && n % 10 <= 4 && !(n % 100 >= 12 && n % 100 <= 14);
  return `в${NBSP}${formatNumber(times)}${NBSP}${fraction || few ? 'раза' : 'раз'}`;
}

/** A decimal volume with a decimal comma and nothing else: "3.4" → "3,4". */
export function decimalComma(value: string): string {
  return value.replace('.', ',');
}

/** A tariff in roubles, at least the kopecks and all the places it has: "2636.9345" → "2 636,9345". */
export function formatTariff(price: string): string {
  const [whole = '0', fraction = ''] = price.split('.');
  return formatNumber(`${whole}.${fraction.padEnd(2, '0')}`);
}

/** A tariff with the rouble sign, as the site shows it: "31" → "31,00 ₽". */
export function formatPrice(price: string): string {
  return `${formatTariff(price)}${NBSP}₽`;
}

export interface MoneyStyle {
  /** Thousands apart by non-breaking spaces (read by people) or not at all (a spreadsheet cell). */
  grouped: boolean;
  /** The sign of a negative amount. */
  minus: '-' | '\u2212';
  /** Whether « ₽» follows (a column or sentence that says «руб.» does without). */
  rouble: boolean;
}

/**
 * Where each way of writing an amount is used. They differ only where their readers do: a
 * spreadsheet wants a bare number with the ASCII hyphen-minus it parses; people read the
 * typographic minus (U+2212, as Russian typesetting writes a negative amount: a hyphen is easy to
 * miss or to take for a dash) on the site, in mails, on the ЕПД and in the operator's console.
 */
export const MONEY = {
  /** The site and its mails: "1 234,56 ₽", "−12,50 ₽". */
  site: { grouped: true, minus: '\u2212', rouble: true },
  /** The operator's console and the sandbox bank's page: "1 234,56 ₽", "−50,00 ₽". */
  typeset: { grouped: true, minus: '\u2212', rouble: true },
  /** The ЕПД's columns and its mail («… руб.»): "1 234,56", "−50,00". */
  bill: { grouped: true, minus: '\u2212', rouble: false },
  /** A statement CSV cell: "-1234,56". */
  csv: { grouped: false, minus: '-', rouble: false },
} as const satisfies Record<string, MoneyStyle>;

/**
 * Integer kopecks as roubles with a decimal comma, by integer arithmetic (no binary-fraction
 * rounding of the kopecks, at any size). Anything but a whole number of kopecks is a bug upstream.
 */
export function formatMoney(kopecks: number, style: MoneyStyle): string {
  if (!Number.isSafeInteger(kopecks)) throw new RangeError(`Not an amount in kopecks: ${kopecks}`);
  const sign = kopecks < 0 ? style.minus : '';
  const abs = Math.abs(kopecks);
  const whole = String(Math.floor(abs / 100));
  const roubles = style.grouped ? groupDigits(whole) : whole;
  return `${sign}${roubles},${String(abs % 100).padStart(2, '0')}${style.rouble ? `${NBSP}₽` : ''}`;
}

/** 123456 → «1 234,56 ₽», −1250 → «−12,50 ₽», as the site shows money (non-breaking spaces: the amount never splits). */
export function formatRoubles(kopecks: number): string {
  return formatMoney(kopecks, MONEY.site);
}

/** 123456 → «1 234,56 ₽», −5000 → «−50,00 ₽»: the operator's console and the sandbox bank's page. */
export function typesetRoubles(kopecks: number): string {
  return formatMoney(kopecks, MONEY.typeset);
}

/** −123456 → "-1234,56": a statement CSV cell. */
export function roublesPlain(kopecks: number): string {
  return formatMoney(kopecks, MONEY.csv);
}

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text (a name from a registry file, a URL) as HTML text or an attribute value: never markup. */
export function escapeHtml(value: string | number): string {
  return String(value).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] as string);
}

/** The ЕПД's file name, ASCII only: some mail clients and browsers mangle a non-ASCII attachment name. */
export function epdFileName(account: string, period: string): string {
  return `EPD-${account}-${period}.pdf`;
}
