import { createHmac, timingSafeEqual } from 'node:crypto';
import { config, LOCAL_SECRET_DEFAULTS } from '#shared/config';
import { ENV } from '#shared/env';
import { forgetSecrets, secretValue } from '#shared/secrets';

/**
 * Passport data is personal data (152-ФЗ): the registry keeps only a keyed hash (HMAC-SHA256) of
 * the normalised series and number, so a leaked table cannot be reversed by hashing the
 * ~10^10 possible numbers without the key. The plain value is never stored, returned or logged.
 */

/**
 * The development key of the local runtime, documented so that demo data hashes the same on every
 * machine. Refused when deployed: there the key comes from Secrets Manager.
 */
export const LOCAL_DEVELOPMENT_PASSPORT_KEY = LOCAL_SECRET_DEFAULTS[ENV.passportKey];

/** The field of the passport secret JSON (at `RAC_PASSPORT_SECRET_ARN`) that holds the key when deployed. */
export const PASSPORT_SECRET_FIELD = ENV.passportKey;

/** Separators people and spreadsheets put between series and number: spaces, dashes, dots, №. */
const SEPARATORS = /[\s\u00a0\-‐‑–—.,/№#]/g;

/**
 * The 10 digits of a Russian passport's series (4) and number (6), from any spacing and
 * punctuation ("14 05 123456", "1405-123456", "14 05 № 123456"); `undefined` when it is not that.
 */
export function normalisePassport(input: string): string | undefined {
  const digits = input.replace(SEPARATORS, '');
  return /^\d{10}$/.test(digits) ? digits : undefined;
}

export class InvalidPassportError extends Error {
  constructor() {
    // The value itself stays out of the message: messages end up in logs.
    super('Паспорт: ожидаются серия и номер — 10 цифр');
    this.name = 'InvalidPassportError';
  }
}

/** HMAC-SHA256 (hex) of an already normalised passport. Pure: the key is passed in. */
export function hashNormalisedPassport(normalised: string, key: Buffer): string {
  return createHmac('sha256', key).update(normalised, 'utf8').digest('hex');
}

/** The keyed hash of a passport as typed; throws InvalidPassportError when it is not 10 digits. */
export async function passportHash(plain: string, key?: Buffer): Promise<string> {
  const normalised = normalisePassport(plain);
  if (!normalised) throw new InvalidPassportError();
  return hashNormalisedPassport(normalised, key ?? (await passportKey()));
}

/** Whether a passport as typed matches a stored hash, compared in constant time. */
export async function passportMatches(hash: string, plain: string, key?: Buffer): Promise<boolean> {
  const normalised = normalisePassport(plain);
  if (!normalised || !/^[0-9a-f]{64}$/.test(hash)) return false;
  const expected = Buffer.from(hash, 'hex');
  const actual = Buffer.from(hashNormalisedPassport(normalised, key ?? (await passportKey())), 'hex');
  return timingSafeEqual(expected, actual);
}

let cachedKey: Promise<Buffer> | undefined;

/**
 * The HMAC key, resolved once per process. Deployed (`runtime: aws`) it is read from Secrets
 * Manager only, so it never sits in a Lambda's environment; locally `RAC_PASSPORT_KEY` sets it,
 * else the documented development key applies.
 */
export function passportKey(): Promise<Buffer> {
  cachedKey ??= resolvePassportKey().catch((error: unknown) => {
    // A failed fetch (throttling, a cold network) must not poison the process: retry next call.
    cachedKey = undefined;
    forgetSecrets();
    throw error;
  });
  return cachedKey;
}

async function resolvePassportKey(): Promise<Buffer> {
  const key = await secretValue(ENV.passportKey);
  if (config().runtime !== 'aws') return Buffer.from(key ?? LOCAL_DEVELOPMENT_PASSPORT_KEY, 'utf8');
  // 32 bytes or more: an HMAC-SHA256 key shorter than the digest weakens it.
  if (!key || Buffer.byteLength(key, 'utf8') < 32) {
    throw new Error(`Secret field ${PASSPORT_SECRET_FIELD} is missing or shorter than 32 bytes`);
  }
  return Buffer.from(key, 'utf8');
}

/** Tests switch keys between cases; this forgets the cached one. */
export function resetPassportKeyForTests(): void {
  cachedKey = undefined;
  forgetSecrets();
}
