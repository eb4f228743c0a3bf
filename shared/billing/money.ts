import Decimal from 'decimal.js';

/**
 * Decimal arithmetic of billing: volumes and tariffs are decimals, money is integer kopecks, and
 * every charge line is rounded once, half-up, to the kopeck (as the ЕПД prints it). Never a float.
 * Our own clone, so no other module's Decimal settings can change the rounding here.
 */
export const Dec = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP });
export type Dec = InstanceType<typeof Dec>;

/** Volumes are kept to 3 decimal places (litres of water, tenths of a kWh fit), half-up. */
export const VOLUME_PLACES = 3;

export function dec(value: string | number | Dec): Dec {
  return new Dec(value);
}

/** A volume as stored and shown: plain decimal, no exponent, no trailing zeros ("3.4", "0"). */
export function volumeText(volume: Dec): string {
  return volume.toFixed();
}

export function roundVolume(volume: Dec): Dec {
  return volume.toDecimalPlaces(VOLUME_PLACES, Dec.ROUND_HALF_UP);
}

/** volume × price (roubles) in kopecks, rounded half-up once for the line. */
export function lineAmount(volume: Dec, price: string): number {
  return volume.times(price).times(100).toDecimalPlaces(0, Dec.ROUND_HALF_UP).toNumber();
}

/**
 * Signed roubles ("-1 234,56", "2695.05") to kopecks, exactly; undefined when it is not a sum of
 * money with at most two decimal places.
 */
export function parseRoubles(text: string): number | undefined {
  const plain = text
    .replace(/[\s\u00a0\u202f]/g, '')
    .replace(',', '.')
    .replace(/^[\u2212\u2013]/, '-');
  if (!/^[+-]?\d+(\.\d{1,2})?$/.test(plain)) return undefined;
  const kopecks = new Dec(plain).times(100);
  if (!kopecks.abs().lte(Number.MAX_SAFE_INTEGER)) return undefined;
  return kopecks.toNumber() || 0;
}

/**
 * Splits `total` kopecks over `weights` in proportion, exactly: each part is the floor of its
 * share and the kopecks left go to the largest remainders (ties: the earlier weight). Integer
 * arithmetic (BigInt): weight × total can exceed 2^53.
 */
export function splitInProportion(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((s, w) => s + w, 0);
  if (total === 0 || sum === 0) return weights.map(() => 0);
  const shares = weights.map((w, index) => {
    const scaled = BigInt(w) * BigInt(total);
    const floor = scaled / BigInt(sum);
    return { index, part: Number(floor), rest: scaled - floor * BigInt(sum) };
  });
  let left = total - shares.reduce((s, x) => s + x.part, 0);
  const byRest = [...shares].sort((a, b) => (a.rest === b.rest ? a.index - b.index : a.rest > b.rest ? -1 : 1));
  for (const share of byRest) {
    if (left === 0) break;
    share.part += 1;
    left -= 1;
  }
  return shares.map((s) => s.part);
}
