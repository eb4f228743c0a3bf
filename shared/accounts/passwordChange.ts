import { verifyCaptcha } from '#shared/accounts/captcha';
import { assertAcceptablePassword, hashPassword, verifyPassword } from '#shared/accounts/passwords';
import { startSession } from '#shared/accounts/sessions';
import { deleteSessions, getCabinet, replacePasswordHash } from '#shared/accounts/store';
import { DomainError } from '#shared/errors';
import { reserveAccountAttempt } from '#shared/limits/attempts';

/**
 * Password change from the profile: old password, new one, captcha. Every session ends, this one
 * included, and the resident continues in a new one (new id and cookie): a session id that was
 * observed or fixed before the change is worth nothing after it. Outstanding mailed links end too
 * (the store moves the link generation on).
 */
export async function changePassword(
  session: { account: string; sessionId: string },
  input: { oldPassword: string; newPassword: string; captchaId: string; captchaAnswer: string },
) {
  await verifyCaptcha(input.captchaId, input.captchaAnswer);
  const cabinet = await getCabinet(session.account, true);
  const attempt = await reserveAccountAttempt('sessionPassword', session.account);
  if (!cabinet || !(await verifyPassword(input.oldPassword, cabinet.passwordHash))) {
    await attempt.fail();
    throw DomainError.of('wrong_password', { fields: { oldPassword: 'Неверный пароль' } });
  }
  await attempt.release();
  await assertAcceptablePassword(input.newPassword, session.account, 'newPassword');
  const newHash = await hashPassword(input.newPassword);
  if (!(await replacePasswordHash(session.account, cabinet.passwordHash, newHash))) {
    // A concurrent change won: this request's old password is no longer the current one.
    throw DomainError.of('wrong_password', { concurrent: true });
  }
  await deleteSessions(session.account);
  const { cookie, body } = await startSession(session.account);
  return { email: cabinet.email, cookie, body };
}
