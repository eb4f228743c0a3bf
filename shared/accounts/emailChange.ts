import { requireCurrentPassword } from '#shared/accounts/currentPassword';
import { emailChangeMail, emailChangeNoticeMail } from '#shared/accounts/mails';
import { requireCabinet } from '#shared/accounts/profile';
import {
  cabinetIdOf,
  confirmCabinetEmail,
  deleteSessions,
  setPendingEmail,
  undoCabinetEmail,
} from '#shared/accounts/store';
import { issueToken, peekToken } from '#shared/accounts/tokens';
import { sendMail } from '#shared/clients/mail';

/**
 * E-mail change. Whoever holds a session is not yet the resident: the current password is asked
 * for, since the address is what password recovery trusts. The new address confirms itself by a
 * link; until then the old one stays, and it is told at once, with a link that undoes the change.
 */
export async function requestEmailChange(account: string, email: string, currentPassword: string | undefined) {
  const cabinet = await requireCabinet(account, true);
  await requireCurrentPassword(account, cabinet, currentPassword, 'Текущий пароль введён неверно');
  await setPendingEmail(account, email);
  const confirmToken = await issueToken('email', account, { email });
  const undoToken = await issueToken('undo', account, { email: cabinet.email, cabinet: cabinetIdOf(cabinet) });
  await sendMail(emailChangeNoticeMail(cabinet.email, account, email, undoToken));
  await sendMail(emailChangeMail(email, account, confirmToken));
}

export async function confirmEmailChange(token: string): Promise<void> {
  const { account, data, generation } = await peekToken<{ email: string }>(token, 'email');
  await confirmCabinetEmail(token, account, data.email, generation);
}

/** The old address's undo link: the address is restored, a pending change cancelled, every session ends. */
export async function undoEmailChange(token: string): Promise<void> {
  const { account, data } = await peekToken<{ email: string; cabinet: string }>(token, 'undo');
  await undoCabinetEmail(token, account, data.email, data.cabinet);
  await deleteSessions(account);
}
