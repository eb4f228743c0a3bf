import { emailChangeMail } from '#shared/accounts/mails';
import { requireCabinet } from '#shared/accounts/profile';
import { confirmCabinetEmail, setPendingEmail } from '#shared/accounts/store';
import { issueToken, peekToken } from '#shared/accounts/tokens';
import { sendMail } from '#shared/clients/mail';

/** E-mail change: the new address confirms itself by a link; until then the old one stays. */
export async function requestEmailChange(account: string, email: string): Promise<void> {
  await requireCabinet(account);
  await setPendingEmail(account, email);
  const token = await issueToken('email', account, { email });
  await sendMail(emailChangeMail(email, account, token));
}

export async function confirmEmailChange(token: string): Promise<void> {
  const { account, data } = await peekToken<{ email: string }>(token, 'email');
  await confirmCabinetEmail(token, account, data.email);
}
