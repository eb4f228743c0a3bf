import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import { sessionSigningKey } from '#shared/accounts/sessions';
import { sendSms } from '#shared/clients/sms';
import { keys } from '#shared/keys';
import { reserveAccountAttempt, reserveAttempt } from '#shared/limits/attempts';
import { PHONE_LIMITS, SMS_CODE } from '#shared/limits/policy';
import { now } from '#shared/time';

/**
 * SMS codes (phone confirmation, login): 6 digits from the CSPRNG, stored only as an HMAC bound to
 * what the code is for, 10 minutes and 5 tries (shared/limits/policy.ts SMS_CODE). The HMAC key is
 * derived from the session key, which every group that texts already reads: no new secret, and a
 * leaked table holds no code (a million candidates would be trivial to hash without the key).
 */
export type SmsPurpose = 'phone' | 'login';

/**
 * One Cyrillic SMS part holds 70 characters (UCS-2); a longer text is split and billed as several,
 * and some phones show the parts apart. Asserted by test/unit/phone.test.ts.
 */
export const SMS_PART_LIMIT = 70;

export const SMS_TEXTS: Record<SmsPurpose, (code: string) => string> = {
  phone: (code) => `${code} — код для подтверждения телефона в РАЦ. Никому не сообщайте`,
  login: (code) => `${code} — код входа в личный кабинет РАЦ. Никому его не сообщайте`,
};

let keyPromise: Promise<Buffer> | undefined;
function codeKey(): Promise<Buffer> {
  keyPromise ??= sessionSigningKey()
    .then((sessionKey) => createHmac('sha256', sessionKey).update('rac-sms-code-key').digest())
    .catch((error: unknown) => {
      keyPromise = undefined;
      throw error;
    });
  return keyPromise;
}

/** A code's stored form, bound to its purpose and subject (the account, or the login challenge). */
export async function hashCode(purpose: SmsPurpose, subject: string, code: string): Promise<string> {
  return createHmac('sha256', await codeKey())
    .update(`${purpose}\n${subject}\n${code}`)
    .digest('base64url');
}

/** Whether a typed code is the stored one, in constant time. */
export async function codeMatches(purpose: SmsPurpose, subject: string, code: string, stored: string) {
  const typed = Buffer.from(await hashCode(purpose, subject, code));
  const expected = Buffer.from(stored);
  return typed.length === expected.length && timingSafeEqual(typed, expected);
}

/** A phone number's keyed hash, for its limit's key: the table never holds the number there. */
async function phoneHash(phone: string): Promise<string> {
  return createHmac('sha256', await codeKey())
    .update(`phone\n${phone}`)
    .digest('base64url')
    .slice(0, 32);
}

export const newCode = (): string => String(randomInt(0, 1_000_000)).padStart(6, '0');

export const codeExpiresAt = (): number => Math.floor(now().getTime() / 1000) + SMS_CODE.ttlSeconds;

/**
 * Takes a slot of both SMS limits (the account's, the number's) before a code is made, or throws
 * 429 `too_many_attempts` with Retry-After. A slot is not given back when sending fails: a message
 * may have gone out all the same.
 */
export async function reserveSmsSlot(account: string, phone: string): Promise<void> {
  await reserveAccountAttempt('smsCodes', account);
  await reserveAttempt(keys.phoneLimit('smsCodes', await phoneHash(phone)), PHONE_LIMITS.smsCodes);
}

/** Texts the code. */
export async function textCode(purpose: SmsPurpose, phone: string, code: string): Promise<void> {
  await sendSms({ to: phone, text: SMS_TEXTS[purpose](code) });
}
