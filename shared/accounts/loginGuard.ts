import { verifyCaptcha } from '#shared/accounts/captcha';
import {
  addLoginFailure,
  deleteLoginGuard,
  getLoginGuard,
  type LoginGuardRecord,
  lockLogin,
} from '#shared/accounts/store';
import { DomainError } from '#shared/errors';
import { now } from '#shared/time';

/** Login throttling per account: a captcha after a few failures, a short lock after many. */
export const LOGIN_LIMITS = { captchaAfter: 3, lockAfter: 10, windowMinutes: 15, lockMinutes: 5 } as const;

const nowSeconds = () => Math.floor(now().getTime() / 1000);

/** The account's failures in the current counting window; a window that has passed starts over. */
async function currentGuard(account: string): Promise<LoginGuardRecord> {
  const item = await getLoginGuard(account);
  const nowSec = nowSeconds();
  if (!item) return { failures: 0, windowStart: nowSec };
  const lockActive = item.lockedUntil !== undefined && item.lockedUntil > nowSec;
  if (!lockActive && item.windowStart + LOGIN_LIMITS.windowMinutes * 60 <= nowSec) {
    // Unless a parallel request already started over.
    await deleteLoginGuard(account, item.windowStart);
    return { failures: 0, windowStart: nowSec };
  }
  return item;
}

/**
 * Lets a login attempt through the guard: refuses while the account is locked and, after a few
 * failures, without a right captcha. Returns whether failures are on record (to clear on success).
 */
export async function passLoginGuard(
  account: string,
  captcha: { captchaId?: string | undefined; captchaAnswer?: string | undefined },
): Promise<{ hadFailures: boolean }> {
  const guard = await currentGuard(account);
  const nowSec = nowSeconds();
  if (guard.lockedUntil && guard.lockedUntil > nowSec) {
    const minutes = Math.ceil((guard.lockedUntil - nowSec) / 60);
    throw DomainError.of('too_many_attempts', { minutes });
  }
  if (guard.failures >= LOGIN_LIMITS.captchaAfter) {
    if (!captcha.captchaId || !captcha.captchaAnswer) {
      throw DomainError.of('captcha_required');
    }
    await verifyCaptcha(captcha.captchaId, captcha.captchaAnswer);
  }
  return { hadFailures: guard.failures > 0 };
}

export async function recordLoginFailure(account: string): Promise<void> {
  const nowSec = nowSeconds();
  const failures = await addLoginFailure(account, nowSec);
  if (failures >= LOGIN_LIMITS.lockAfter) {
    // A short lock: long enough to stop guessing, short enough not to lock a resident out for long.
    // The counter drops to the captcha threshold, so the attempts after the lock still need a captcha.
    await lockLogin(account, {
      lockedUntil: nowSec + LOGIN_LIMITS.lockMinutes * 60,
      failures: LOGIN_LIMITS.captchaAfter,
      windowStart: nowSec,
    });
  }
}

/** A successful login or a password reset starts the count over. */
export async function clearLoginFailures(account: string): Promise<void> {
  await deleteLoginGuard(account);
}
