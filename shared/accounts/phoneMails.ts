import { formatPhone } from '#shared/accounts/phoneNumber';
import { CENTRE } from '#shared/centre';
import { type Mail, sendMail } from '#shared/clients/mail';
import { config } from '#shared/config';
import { escapeHtml } from '#shared/format';
import { logger } from '#shared/logger';
import { moscowDateTimeText, now } from '#shared/time';

/**
 * Notices to the cabinet's address when its second factor changes: a new confirmed phone, a removed
 * one, the login by SMS code on or off. Whoever did it with a stolen session or password, the resident learns of
 * it by mail and knows the ways back (recovery by the mailed link, the centre with a passport).
 */
function notice(to: string, subject: string, lead: string): Mail {
  const recoverUrl = `${config().publicUrl}/recover`;
  const notYou =
    'Если это были не вы, сразу восстановите пароль — ссылка придёт на этот адрес; восстановление ' +
    `отключает вход по коду из SMS. Если не получается, позвоните в ${CENTRE.shortName} по телефону ` +
    `${CENTRE.phone.display} или придите с паспортом.`;
  const footer = `Если это сделали вы, ничего делать не нужно.\n\n${CENTRE.shortName}`;
  return {
    to,
    subject,
    text: `Здравствуйте!\n\n${lead}\n\n${notYou}\n\nВосстановить пароль:\n${recoverUrl}\n\n${footer}`,
    html:
      `<p>Здравствуйте!</p><p>${escapeHtml(lead)}</p><p>${escapeHtml(notYou)}</p>` +
      `<p><a href="${escapeHtml(recoverUrl)}">Восстановить пароль</a></p>` +
      `<p style="color:#555">${escapeHtml(footer).replace(/\n/g, '<br>')}</p>`,
  };
}

export function phoneConfirmedMail(to: string, account: string, phone: string, previous: string | undefined): Mail {
  const when = moscowDateTimeText(now().toISOString());
  const lead = previous
    ? `В личном кабинете лицевого счёта № ${account} ${when} мобильный телефон ${formatPhone(previous)} ` +
      `заменён на ${formatPhone(phone)}. Коды для входа теперь приходят на новый номер.`
    : `В личном кабинете лицевого счёта № ${account} ${when} подтверждён мобильный телефон ${formatPhone(phone)}.`;
  return notice(to, previous ? 'Телефон личного кабинета изменён' : 'Телефон личного кабинета подтверждён', lead);
}

export function phoneRemovedMail(to: string, account: string, phone: string, smsLoginWasOn: boolean): Mail {
  const when = moscowDateTimeText(now().toISOString());
  const lead =
    `Из личного кабинета лицевого счёта № ${account} ${when} удалён мобильный телефон ${formatPhone(phone)}.` +
    (smsLoginWasOn ? ' Вход по коду из SMS отключён: теперь для входа нужен только пароль.' : '');
  return notice(to, 'Телефон удалён из личного кабинета', lead);
}

export function smsLoginMail(to: string, account: string, on: boolean, how: 'profile' | 'reset' = 'profile'): Mail {
  const when = moscowDateTimeText(now().toISOString());
  const lead = on
    ? `В личном кабинете лицевого счёта № ${account} ${when} включён вход по коду из SMS: после пароля ` +
      'нужно ввести код, который придёт на подтверждённый телефон.'
    : how === 'reset'
      ? `Пароль личного кабинета лицевого счёта № ${account} восстановлен ${when} по ссылке из письма, ` +
        'поэтому вход по коду из SMS отключён. Включить его снова можно в профиле.'
      : `В личном кабинете лицевого счёта № ${account} ${when} отключён вход по коду из SMS.`;
  return notice(to, on ? 'Вход по коду из SMS включён' : 'Вход по коду из SMS отключён', lead);
}

/**
 * Sends a notice. The change is made by then: a mail service that does not answer is logged, not
 * turned into an error that would make the resident think the change failed.
 */
export async function mailNotice(mail: Mail): Promise<void> {
  try {
    await sendMail(mail);
  } catch (error) {
    logger.warn('Phone notice not sent', { error: (error as Error).name });
  }
}
