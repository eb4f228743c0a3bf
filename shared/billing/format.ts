/**
 * How money and periods read in Russian, for the web pages and the statement CSV alike, so the
 * file a resident downloads says what the screen says. Pure, no dependencies (it is bundled into
 * the site).
 */

const MONTHS = [
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

const GENITIVE = [
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
];
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
];

/** "2026-10" → "октября 2026", as in «с октября 2026». */
export function periodGenitive(period: string): string {
  const [year, month] = period.split('-');
  return `${GENITIVE[Number(month) - 1] ?? month} ${year}`;
}

/** "2026-10" → "октябре 2026", as in «в октябре 2026». */
export function periodPrepositional(period: string): string {
  const [year, month] = period.split('-');
  return `${PREPOSITIONAL[Number(month) - 1] ?? month} ${year}`;
}

/** "2026-10" → "Октябрь 2026". */
export function periodTitle(period: string): string {
  const [year, month] = period.split('-');
  return `${MONTHS[Number(month) - 1] ?? month} ${year}`;
}

const NBSP = '\u00a0';

/** Kopecks as roubles with a decimal comma and no grouping: "-1234,56" (the CSV cell). */
export function roublesPlain(kopecks: number): string {
  const sign = kopecks < 0 ? '-' : '';
  const abs = Math.abs(kopecks);
  return `${sign}${Math.floor(abs / 100)},${String(abs % 100).padStart(2, '0')}`;
}

/** Kopecks as the site shows money: "1 234,56 ₽", "−50,00 ₽" (non-breaking spaces, a real minus). */
export function formatRoubles(kopecks: number): string {
  const sign = kopecks < 0 ? '\u2212' : '';
  const abs = Math.abs(kopecks);
  const roubles = String(Math.floor(abs / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, NBSP);
  return `${sign}${roubles},${String(abs % 100).padStart(2, '0')}${NBSP}₽`;
}

/** A decimal volume with a decimal comma: "3.4" → "3,4". */
export function decimalComma(value: string): string {
  return value.replace('.', ',');
}

/** A tariff in roubles as the ЕПД prints it, all its decimals kept: "2636.9345" → "2 636,9345 ₽". */
export function formatPrice(price: string): string {
  const [whole = '0', fraction] = price.split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, NBSP);
  const kopecks = (fraction ?? '').padEnd(2, '0');
  return `${grouped},${kopecks}${NBSP}₽`;
}
