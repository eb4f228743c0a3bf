import { argon2, randomBytes, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { DomainError } from '#shared/errors';

const argon2Async = promisify(argon2);

/**
 * argon2id with OWASP's minimum (m = 19 MiB, t = 2, p = 1), stored as a PHC string so the
 * parameters can be raised later and old hashes still verify.
 */
export const ARGON2_PARAMS = { memory: 19_456, passes: 2, parallelism: 1, tagLength: 32 } as const;

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await argon2Async('argon2id', { message: password, nonce: salt, ...ARGON2_PARAMS });
  const { memory, passes, parallelism } = ARGON2_PARAMS;
  return `$argon2id$v=19$m=${memory},t=${passes},p=${parallelism}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

const PHC = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)$/;

export async function verifyPassword(password: string, phc: string): Promise<boolean> {
  const m = PHC.exec(phc);
  if (!m) return false;
  const expected = Buffer.from(m[5] as string, 'base64url');
  const actual = await argon2Async('argon2id', {
    message: password,
    nonce: Buffer.from(m[4] as string, 'base64url'),
    memory: Number(m[1]),
    passes: Number(m[2]),
    parallelism: Number(m[3]),
    tagLength: expected.length,
  });
  return timingSafeEqual(actual, expected);
}

/**
 * A hash of a random password, verified against when the account does not exist or has no
 * password, so a failed login costs the same time either way (no user enumeration by timing).
 */
let dummyHash: Promise<string> | undefined;
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword(randomBytes(18).toString('base64url'));
  return dummyHash;
}

let commonPasswords: Promise<{ test: (password: string) => boolean }> | undefined;

/** Mozilla's list of common passwords (Firefox Accounts), loaded on first use, not at cold start. */
async function isCommonPassword(password: string): Promise<boolean> {
  commonPasswords ??= import('fxa-common-password-list').then(
    (m) => (m.default ?? m) as { test: (p: string) => boolean },
  );
  const list = await commonPasswords;
  return list.test(password) || list.test(password.toLowerCase());
}

/**
 * NIST SP 800-63B: length 8..128 (the schema checks it), no composition rules, refuse passwords
 * known from breaches and ones built from the account number.
 */
export async function assertAcceptablePassword(password: string, account: string, field = 'password'): Promise<void> {
  const lowered = password.toLowerCase();
  if (lowered.includes(account) || /^(.)\1+$/.test(password) || (await isCommonPassword(password))) {
    throw DomainError.of('weak_password', { fields: { [field]: 'Слишком простой пароль' } });
  }
}
