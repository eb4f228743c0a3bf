import { verifyCaptcha } from '#shared/accounts/captcha';
import { clearLoginFailures } from '#shared/accounts/loginGuard';
import { resetMail } from '#shared/accounts/mails';
import { mailPasswordChanged } from '#shared/accounts/passwordChange';
import { assertAcceptablePassword, hashPassword } from '#shared/accounts/passwords';
import { mailNotice, smsLoginMail } from '#shared/accounts/phoneMails';
import { startSession } from '#shared/accounts/sessions';
import { deleteSessions, getCabinet, resetCabinetPassword } from '#shared/accounts/store';
import { issueToken, peekToken } from '#shared/accounts/tokens';
import { sendMail } from '#shared/clients/mail';
import { reserveAccountAttempt } from '#shared/limits/attempts';

const RECOVERY_FLOOR_MS = 400;

/**
 * Password recovery: the same answer, in about the same time, whether or not the account and
 * e-mail match; the link goes out only when they do.
 */
export async function recover(input: { account: string; email: string; captchaId: string; captchaAnswer: string }) {
  const started = Date.now();
  await verifyCaptcha(input.captchaId, input.captchaAnswer);
  // Every request counts, matching or not: the same limit whatever the answer would have been.
  await reserveAccountAttempt('recovery', input.account);
  const cabinet = await getCabinet(input.account, true);
  if (cabinet && cabinet.email === input.email) {
    const token = await issueToken('reset', input.account, {});
    await sendMail(resetMail(cabinet.email, input.account, token));
  }
  const wait = RECOVERY_FLOOR_MS - (Date.now() - started);
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
}

/** A new password from the recovery link; every other session and every other link ends. */
export async function resetPassword(token: string, password: string) {
  const { account, generation } = await peekToken(token, 'reset');
  await assertAcceptablePassword(password, account);
  // Read before the reset, which switches the login by SMS code off: the resident is told if it was on.
  // The reset leaves the address as it is, so this read serves the mail too.
  const cabinet = await getCabinet(account, true);
  await resetCabinetPassword(token, account, await hashPassword(password), generation);
  await deleteSessions(account);
  await clearLoginFailures(account);
  const session = await startSession(account);
  if (cabinet) await mailPasswordChanged(cabinet.email, account, 'reset');
  if (cabinet?.loginCodeBySms) await mailNotice(smsLoginMail(cabinet.email, account, false, 'reset'));
  return session;
}
