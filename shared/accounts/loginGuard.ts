import { verifyCaptcha } from '#shared/accounts/captcha';
import type { TransactItem } from '#shared/accounts/store';
import { DomainError } from '#shared/errors';
import { keys } from '#shared/keys';
import { type Attempt, clearAttempts, clearOperation, reserveAttempt } from '#shared/limits/attempts';
import { ACCOUNT_LIMITS } from '#shared/limits/policy';

/** Login throttling per account: a captcha after a few failures, a short lock after many. */
export const LOGIN_LIMITS = ACCOUNT_LIMITS.login;

/**
 * Lets a login attempt through the guard before the password is checked. The attempt takes a slot
 * of the account's window atomically (shared/limits/attempts.ts), so parallel guesses cannot get
 * past the limit: the 11th slot of a window does not exist, and a locked account has none. From
 * the 4th slot on, the attempt needs a right captcha; without one it gives its slot back (nothing
 * was evaluated) and answers 428. A wrong captcha keeps the slot: it was a failed attempt.
 *
 * The caller reports the outcome: `succeeded()` is the delete that clears the account's count, for
 * the caller to write in one transaction with the new session; `failed()` keeps the slot and, on
 * the last one, locks the account for `lockSeconds`.
 */
export async function passLoginGuard(
  account: string,
  captcha: { captchaId?: string | undefined; captchaAnswer?: string | undefined },
): Promise<{ succeeded: () => TransactItem; failed: () => Promise<void> }> {
  const attempt: Attempt = await reserveAttempt(keys.loginGuard(account), LOGIN_LIMITS, 'login');
  if (attempt.number > LOGIN_LIMITS.captchaAfter) {
    if (!captcha.captchaId || !captcha.captchaAnswer) {
      await attempt.release();
      throw DomainError.of('captcha_required');
    }
    try {
      await verifyCaptcha(captcha.captchaId, captcha.captchaAnswer);
    } catch (error) {
      await attempt.fail();
      throw error;
    }
  }
  return { succeeded: () => ({ Delete: clearOperation(keys.loginGuard(account)) }), failed: attempt.fail };
}

/** A successful login or a password reset starts the count over. */
export async function clearLoginFailures(account: string): Promise<void> {
  await clearAttempts(keys.loginGuard(account));
}
