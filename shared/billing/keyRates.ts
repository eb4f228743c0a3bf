import type { KeyRate } from '#shared/billing/penalties';
import { shortCache } from '#shared/billing/store';
import { queryAll } from '#shared/clients/dynamo';
import { keys } from '#shared/keys';

/**
 * The Bank of Russia key rate for пени, as the billing run reads it. Importing the rates
 * (`import key-rates`, CSV) is in shared/billing/keyRatesImport.ts: the CSV reader carries
 * iconv-lite (~0.5 MB), which the billing and ЕПД functions must not parse at every cold start.
 */

/** Every key rate, by day: one query of a small partition, once per billing batch. */
export async function loadKeyRates(): Promise<KeyRate[]> {
  const items = await queryAll({
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': keys.keyRates },
  });
  return items.map((i) => ({ from: String(i.from), rate: String(i.rate) })).sort((a, b) => (a.from < b.from ? -1 : 1));
}

const keyRateCache = shortCache(loadKeyRates);

/**
 * The key rates, read at most every REFERENCE_CACHE_MS (shared/billing/store.ts) per container,
 * like the tariffs: every batch of a billing run needs them. Short on purpose: a rate imported
 * before a run reaches it within minutes, and at once in the importing process (importKeyRates
 * calls forgetKeyRates).
 */
export function cachedKeyRates(): Promise<KeyRate[]> {
  return keyRateCache.get();
}

/** Drops this process's cached rates, so an import is read at once by the same process. */
export function forgetKeyRates(): void {
  keyRateCache.forget();
}
