import { hkdfSync, randomBytes } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import { verifyCaptcha } from '#shared/accounts/captcha';
import { sessionSigningKey } from '#shared/accounts/sessions';
import { getAccount } from '#shared/accounts/store';
import { DomainError } from '#shared/errors';
import { reserveAccountAttempt } from '#shared/limits/attempts';
import { metersPage } from '#shared/readings/metersPage';
import { type PassUse, passUsed } from '#shared/readings/store';
import { now } from '#shared/time';

/**
 * Submission without logging in (the centre's "передать показания по номеру лицевого счёта"):
 * the account number and a captcha buy a pass — a JWT signed with a key derived from the session
 * key for this purpose only, bound to that account, valid PASS_MINUTES. The submission route
 * takes the pass, never an account number, so nobody submits for an account without passing the
 * captcha for it first. A pass carries one submission (its `jti` is used up in the submission's
 * own transaction, shared/readings/store.ts): one captcha cannot buy a stream of replacements. A
 * refused submission (a confirmation question, a typo) does not use it, so answering the question
 * takes no second captcha. The meters come without the owner's name or address.
 *
 * The contract calls the pass a "ticket" (the JSON field `ticket`, the error `invalid_ticket`):
 * those names stay; in code "ticket" is a support request.
 */
export const PASS_MINUTES = 20;
const ISSUER = 'rac-portal';
const AUDIENCE = 'rac-quick-readings';
const ALGORITHM = 'HS256';

let keyPromise: Promise<Uint8Array> | undefined;
function passKey(): Promise<Uint8Array> {
  // The derivation label keeps its old name: renaming it would invalidate the passes in use.
  keyPromise ??= sessionSigningKey()
    .then((key) => new Uint8Array(hkdfSync('sha256', key, 'rac-portal', 'quick-readings-ticket-v1', 32)))
    .catch((error: unknown) => {
      keyPromise = undefined;
      throw error;
    });
  return keyPromise;
}

/** Captcha first (consumed right or wrong), then the account; the meters with a fresh pass. */
export async function startQuickSubmission(input: { account: string; captchaId: string; captchaAnswer: string }) {
  await verifyCaptcha(input.captchaId, input.captchaAnswer);
  // A few passes per account an hour: nobody floods a resident's readings page by solving captchas.
  await reserveAccountAttempt('quickReadings', input.account);
  if (!(await getAccount(input.account)))
    throw DomainError.of('account_not_found', { fields: { account: 'Лицевой счёт не найден' } });
  const issuedAt = Math.floor(now().getTime() / 1000);
  const expiresAt = issuedAt + PASS_MINUTES * 60;
  const pass = await new SignJWT({})
    .setProtectedHeader({ alg: ALGORITHM })
    .setJti(randomBytes(18).toString('base64url'))
    .setSubject(input.account)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(issuedAt)
    .setExpirationTime(expiresAt)
    .sign(await passKey());
  const page = await metersPage(input.account);
  return { ticket: pass, expiresAt: new Date(expiresAt * 1000).toISOString(), account: input.account, ...page };
}

export interface LivePass {
  /** The account it was issued for. */
  account: string;
  /** Its `jti`, used up by its one submission, and its expiry (Unix seconds). */
  use: PassUse;
}

/** A live, unused pass, or 401 `invalid_ticket` (forged, expired, or its submission made). */
export async function livePass(pass: string): Promise<LivePass> {
  let live: LivePass;
  try {
    const { payload } = await jwtVerify(pass, await passKey(), {
      algorithms: [ALGORITHM],
      issuer: ISSUER,
      audience: AUDIENCE,
      currentDate: now(),
      requiredClaims: ['sub', 'exp', 'jti'],
    });
    live = { account: String(payload.sub), use: { id: String(payload.jti), expiresAt: Number(payload.exp) } };
  } catch {
    throw DomainError.of('invalid_ticket');
  }
  // Answered before the values are judged, so a used pass learns nothing about the meters; the
  // submission's transaction checks it again, atomically.
  if (await passUsed(live.use.id)) throw DomainError.of('invalid_ticket');
  return live;
}
