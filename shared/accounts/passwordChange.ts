import { verifyCaptcha } from '#shared/accounts/captcha';
import { assertAcceptablePassword, hashPassword, verifyPassword } from '#shared/accounts/passwords';
import { deleteSessions, getAccount, getCabinet, replacePasswordHash } from '#shared/accounts/store';
import { DomainError } from '#shared/errors';

/** Password change from the profile: old password, new one, captcha; other sessions end. */
export async function changePassword(
  session: { account: string; sessionId: string },
  input: { oldPassword: string; newPassword: string; captchaId: string; captchaAnswer: string },
) {
  await verifyCaptcha(input.captchaId, input.captchaAnswer);
  const cabinet = await getCabinet(session.account, true);
  if (!cabinet || !(await verifyPassword(input.oldPassword, cabinet.passwordHash))) {
    throw DomainError.of('wrong_password', { fields: { oldPassword: 'Неверный пароль' } });
  }
  await assertAcceptablePassword(input.newPassword, session.account, 'newPassword');
  const newHash = await hashPassword(input.newPassword);
  if (!(await replacePasswordHash(session.account, cabinet.passwordHash, newHash))) {
    // A concurrent change won: this request's old password is no longer the current one.
    throw DomainError.of('wrong_password', { concurrent: true });
  }
  await deleteSessions(session.account, session.sessionId);
  const record = await getAccount(session.account);
  return { email: cabinet.email, body: { account: session.account, owner: record?.owner ?? '' } };
}
