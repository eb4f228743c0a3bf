import { passwordChangedMail } from '#shared/accounts/mails';
import { assertAcceptablePassword, hashPassword, verifyPassword } from '#shared/accounts/passwords';
import { startSession } from '#shared/accounts/sessions';
import { deleteSessions, getCabinet, replacePasswordHash } from '#shared/accounts/store';
import { sendMail } from '#shared/clients/mail';
import { DomainError } from '#shared/errors';
import { reserveAccountAttempt } from '#shared/limits/attempts';
import { logger } from '#shared/logger';
import { now } from '#shared/time';

/**
 * Mails «Пароль изменён» to the cabinet's address. The password is changed and the resident is in a
 * new session by then: a mail service that does not answer is logged, not turned into an error that
 * would make the resident think the change failed (and a reset link, already used, retried).
 */
export async function mailPasswordChanged(email: string, account: string, how: 'change' | 'reset'): Promise<void> {
  try {
    await sendMail(passwordChangedMail(email, account, how, now().toISOString()));
  } catch (error) {
    logger.warn('Password change notice not sent', { how, error: (error as Error).name });
  }
}

/**
 * Password change from the profile: old password and new one. No robot check: the current password
 * is the proof, and guessing it from a session is stopped by the `sessionPassword` limit (5 wrong
 * ones lock this form and the e-mail change). Every session ends, this one
 * included, and the resident continues in a new one (new id and cookie): a session id that was
 * observed or fixed before the change is worth nothing after it. Outstanding mailed links end too
 * (the store moves the link generation on).
 */
export async function changePassword(
  session: { account: string; sessionId: string },
  input: { oldPassword: string; newPassword: string },
) {
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
  const [{ cookie, body }] = await Promise.all([
    startSession(session.account),
    mailPasswordChanged(cabinet.email, session.account, 'change'),
  ]);
  return { cookie, body };
}
