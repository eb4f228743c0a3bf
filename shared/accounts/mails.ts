import { CENTRE } from '#shared/centre';
import type { Mail } from '#shared/clients/mail';
import { config } from '#shared/config';
import { escapeHtml } from '#shared/format';
import { moscowDateTimeText } from '#shared/time';

/** The centre's mails to residents about their cabinet, in Russian, plain text plus a simple HTML part. */

function linkMail(
  to: string,
  subject: string,
  lead: string,
  action: string,
  path: string,
  token: string,
  ttl: string,
): Mail {
  const url = `${config().publicUrl}${path}?token=${encodeURIComponent(token)}`;
  const footer = `Если вы не запрашивали это письмо, просто проигнорируйте его.\n\n${CENTRE.shortName}`;
  return {
    to,
    subject,
    text: `Здравствуйте!\n\n${lead}\n\n${action}:\n${url}\n\nСсылка действует ${ttl} и только один раз.\n\n${footer}`,
    html:
      `<p>Здравствуйте!</p><p>${escapeHtml(lead)}</p>` +
      `<p><a href="${escapeHtml(url)}">${escapeHtml(action)}</a></p>` +
      `<p>Ссылка действует ${escapeHtml(ttl)} и только один раз.</p>` +
      `<p style="color:#555">${escapeHtml(footer).replace(/\n/g, '<br>')}</p>`,
  };
}

export const registrationMail = (to: string, account: string, token: string) =>
  linkMail(
    to,
    'Регистрация в личном кабинете РАЦ',
    `Вы регистрируетесь в личном кабинете лицевого счёта № ${account}.`,
    'Задать пароль и войти',
    '/confirm',
    token,
    '24 часа',
  );

export const resetMail = (to: string, account: string, token: string) =>
  linkMail(
    to,
    'Восстановление пароля личного кабинета РАЦ',
    `Для лицевого счёта № ${account} запрошено восстановление пароля.`,
    'Задать новый пароль',
    '/reset',
    token,
    '1 час',
  );

export const emailChangeMail = (to: string, account: string, token: string) =>
  linkMail(
    to,
    'Подтверждение адреса электронной почты',
    `Этот адрес указан как новый e-mail личного кабинета лицевого счёта № ${account}.`,
    'Подтвердить адрес',
    '/email-confirm',
    token,
    '24 часа',
  );

/**
 * «Пароль изменён»: after a change in the profile and after a reset by the mailed link. It goes to
 * the cabinet's address whoever changed the password, so a resident whose mailbox or session was
 * taken over learns of it and knows the two ways back: recovery (the link comes to this very
 * address) or the centre's office with a passport, where the cabinet can be closed.
 */
export function passwordChangedMail(to: string, account: string, how: 'change' | 'reset', at: string): Mail {
  const { publicUrl } = config();
  const recoverUrl = `${publicUrl}/recover`;
  const when = moscowDateTimeText(at);
  const lead =
    how === 'reset'
      ? `Пароль личного кабинета лицевого счёта № ${account} изменён ${when} по ссылке восстановления из письма.`
      : `Пароль личного кабинета лицевого счёта № ${account} изменён ${when} в профиле личного кабинета.`;
  const sessions = 'Все сеансы входа на других устройствах завершены.';
  const notYou =
    'Если это были не вы, сразу восстановите пароль — ссылка придёт на этот адрес — и проверьте в профиле адрес ' +
    `почты и телефон. Если восстановить не получается, позвоните в ${CENTRE.shortName} по телефону ` +
    `${CENTRE.phone.display} или придите с паспортом: доступ к кабинету закроют.`;
  const footer = `Если пароль меняли вы, ничего делать не нужно.\n\n${CENTRE.shortName}`;
  return {
    to,
    subject: 'Пароль личного кабинета изменён',
    text: `Здравствуйте!\n\n${lead} ${sessions}\n\n${notYou}\n\nВосстановить пароль:\n${recoverUrl}\n\n${footer}`,
    html:
      `<p>Здравствуйте!</p><p>${escapeHtml(lead)} ${escapeHtml(sessions)}</p><p>${escapeHtml(notYou)}</p>` +
      `<p><a href="${escapeHtml(recoverUrl)}">Восстановить пароль</a></p>` +
      `<p style="color:#555">${escapeHtml(footer).replace(/\n/g, '<br>')}</p>`,
  };
}

/**
 * The notice to the old address when a change of e-mail is asked for: it names the new address and
 * carries the undo link, so a resident whose password was stolen learns of it before the thief
 * takes the mailbox over too.
 */
export function emailChangeNoticeMail(to: string, account: string, newEmail: string, undoToken: string): Mail {
  const url = `${config().publicUrl}/email-undo?token=${encodeURIComponent(undoToken)}`;
  const lead =
    `В личном кабинете лицевого счёта № ${account} запрошена смена адреса электронной почты ` +
    `на ${newEmail}. Письма личного кабинета будут приходить туда, когда новый адрес подтвердят.`;
  const undo =
    'Если это были не вы, отмените смену по ссылке: адрес останется прежним, все сеансы входа ' +
    'завершатся. Затем смените пароль через восстановление пароля.';
  const footer = `Если адрес меняли вы, ничего делать не нужно.\n\n${CENTRE.shortName}`;
  return {
    to,
    subject: 'Смена адреса электронной почты личного кабинета',
    text: `Здравствуйте!\n\n${lead}\n\n${undo}\n\nОтменить смену адреса:\n${url}\n\nСсылка действует 7 дней.\n\n${footer}`,
    html:
      `<p>Здравствуйте!</p><p>${escapeHtml(lead)}</p><p>${escapeHtml(undo)}</p>` +
      `<p><a href="${escapeHtml(url)}">Отменить смену адреса</a></p><p>Ссылка действует 7 дней.</p>` +
      `<p style="color:#555">${escapeHtml(footer).replace(/\n/g, '<br>')}</p>`,
  };
}
