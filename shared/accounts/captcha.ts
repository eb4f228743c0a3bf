import { randomBytes, randomInt } from 'node:crypto';
import { type Challenge, createChallenge, type Payload, solveChallenge, verifySolution } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/pbkdf2';
import { putCaptcha, takeCaptcha } from '#shared/accounts/store';
import { config } from '#shared/config';
import { DomainError } from '#shared/errors';
import { now } from '#shared/time';

/**
 * The robot check of the forms without a session: an ALTCHA proof-of-work challenge (altcha-lib on
 * the server, the `altcha` widget on the page). There is nothing to read: the page's browser finds
 * the one counter whose PBKDF2 key starts with the challenge's 16-byte prefix by trying every
 * counter from 0, which costs a resident a second or two of background work and nothing to see or
 * hear (blind residents pass it like everyone else), and costs a script the same work per form.
 * The limits in shared/limits are the real defence; this only makes each attempt cost something.
 *
 * Deterministic mode: the server picks the counter, so it knows the answer without solving, and
 * verifying is one HMAC (the derived key's signature). Each challenge gets its own random HMAC
 * secrets, kept only in its DynamoDB record: no shared key to configure or leak, and a record,
 * deleted on its first check (right or wrong), makes every challenge single-use. The 5-minute
 * expiry is checked against our clock (`RAC_NOW`), not put in the challenge, whose own expiry the
 * library and the widget would check against the machine's clock.
 */
export const CAPTCHA_TTL_SECONDS = 5 * 60;
export const CAPTCHA_ALGORITHM = 'PBKDF2/SHA-256';
/** PBKDF2 iterations per tried counter. */
export const CAPTCHA_COST = 1_000;
/** The counter is drawn from this range: a solver needs at least MIN key derivations. */
export const CAPTCHA_COUNTER = { min: 2_000, max: 5_000 } as const;

export interface Captcha {
  id: string;
  /** What the widget solves: `{parameters, signature}`. */
  challenge: Challenge;
  /** Test mode only: a valid answer (the widget's payload), so tests need not solve. */
  answer?: string;
}

/** The widget's payload: base64 of `{challenge, solution}` JSON. */
export const encodePayload = (payload: Payload): string => Buffer.from(JSON.stringify(payload)).toString('base64');

export async function createCaptcha(): Promise<Captcha> {
  const id = randomBytes(18).toString('base64url');
  const secrets = { signature: randomBytes(32).toString('base64url'), key: randomBytes(32).toString('base64url') };
  const counter = randomInt(CAPTCHA_COUNTER.min, CAPTCHA_COUNTER.max + 1);
  const challenge = await createChallenge({
    algorithm: CAPTCHA_ALGORITHM,
    cost: CAPTCHA_COST,
    counter,
    deriveKey,
    data: { id },
    hmacSignatureSecret: secrets.signature,
    hmacKeySignatureSecret: secrets.key,
  });
  await putCaptcha(id, { ...secrets, expiresAt: Math.floor(now().getTime() / 1000) + CAPTCHA_TTL_SECONDS });
  // Test mode (local runtime only, enforced by the configuration): starting at the known counter,
  // the solver's first try is the answer.
  const answer = config().testMode ? await solvedPayload(challenge, counter) : undefined;
  return { id, challenge, ...(answer ? { answer } : {}) };
}

async function solvedPayload(challenge: Challenge, counter: number): Promise<string | undefined> {
  const solution = await solveChallenge({ challenge, deriveKey, counterStart: counter, timeout: 5_000 });
  if (!solution) return undefined;
  return encodePayload({ challenge: { parameters: challenge.parameters, signature: challenge.signature }, solution });
}

export const invalidCaptcha = () =>
  DomainError.of('invalid_captcha', { fields: { captchaAnswer: 'Проверка не пройдена: пройдите её ещё раз' } });

function decodePayload(answer: string): Payload | undefined {
  try {
    const payload = JSON.parse(Buffer.from(answer.trim(), 'base64').toString('utf8')) as Payload;
    if (!payload?.challenge?.parameters || typeof payload.challenge.signature !== 'string') return undefined;
    if (typeof payload.solution !== 'object' || payload.solution === null) return undefined;
    return payload;
  } catch {
    return undefined;
  }
}

/** Checks and consumes a captcha: each one answers a single request, right or wrong. */
export async function verifyCaptcha(id: string | undefined, answer: string | undefined): Promise<void> {
  if (!id || !answer) throw invalidCaptcha();
  const item = await takeCaptcha(id);
  if (!item?.signature || !item.key || (item.expiresAt ?? 0) <= Math.floor(now().getTime() / 1000)) {
    throw invalidCaptcha();
  }
  const payload = decodePayload(answer);
  // The challenge must be this id's own: its signature is made with the secret only this record holds.
  if (!payload || payload.challenge.parameters.data?.id !== id) throw invalidCaptcha();
  const result = await verifySolution({
    challenge: payload.challenge,
    solution: payload.solution,
    deriveKey,
    hmacSignatureSecret: item.signature,
    hmacKeySignatureSecret: item.key,
  }).catch(() => ({ verified: false }));
  if (!result.verified) throw invalidCaptcha();
}
