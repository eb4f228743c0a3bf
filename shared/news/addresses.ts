/**
 * Which accounts a news item for some addresses («мкр. Жукова», «ул. Ленина, д. 41») is for. The
 * registry's addresses are free text typed by several billing systems («г. Старый Оскол, мкр.
 * Жукова, д. 12, кв. 45», «микрорайон Жукова д.12»), so both sides are normalised to words and an
 * address matches a filter when the filter's words occur in it as consecutive whole words:
 * «ул. Ленина, д. 4» matches «ул. Ленина, д. 4, кв. 7» but not «ул. Ленина, д. 41».
 */

/** Full words of Russian addresses and the abbreviations the registry uses (ГОСТ Р 51582 style). */
const ABBREVIATIONS: Readonly<Record<string, string>> = {
  город: 'г',
  микрорайон: 'мкр',
  мкрн: 'мкр',
  улица: 'ул',
  проспект: 'пр-т',
  просп: 'пр-т',
  переулок: 'пер',
  площадь: 'пл',
  бульвар: 'б-р',
  шоссе: 'ш',
  проезд: 'пр-д',
  квартал: 'кв-л',
  дом: 'д',
  корпус: 'корп',
  к: 'корп',
  строение: 'стр',
  квартира: 'кв',
};

/**
 * Lower case, «ё» as «е», every run of punctuation and spaces as one space (a hyphen inside a word
 * stays: «Северо-Западный», «пр-т»), full words as their abbreviations, «12а» and «12 а» alike.
 */
export function normaliseAddress(address: string): string {
  const words = address
    .normalize('NFC')
    .toLowerCase()
    .replaceAll('ё', 'е')
    // Letters and digits of any script, and hyphens between them, make words.
    .replace(/[^\p{L}\p{N}-]+/gu, ' ')
    .replace(/(^|\s)-+|-+(?=\s|$)/g, ' ')
    // «12а» → «12 а»: a house letter written apart or together is the same house.
    .replace(/(\d)(\p{L})/gu, '$1 $2')
    .split(' ')
    .filter((word) => word !== '');
  return words.map((word) => ABBREVIATIONS[word] ?? word).join(' ');
}

/** Whether an account's address lies in any of the normalised filters (none: the item is for everyone). */
export function addressMatches(address: string, filters: readonly string[]): boolean {
  if (filters.length === 0) return true;
  const padded = ` ${normaliseAddress(address)} `;
  return filters.some((filter) => filter !== '' && padded.includes(` ${filter} `));
}

/** The operator's `--addresses` value: filters separated by «;» (a comma belongs inside an address). */
export function splitAddressFilters(value: string): string[] {
  return value
    .split(/[;\n]/)
    .map((part) => part.trim())
    .filter((part) => part !== '');
}
