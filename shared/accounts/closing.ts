import { endCabinetAccess, getCabinet } from '#shared/accounts/store';
import { CENTRE } from '#shared/centre';
import { type Mail, sendMail } from '#shared/clients/mail';
import { config } from '#shared/config';
import { escapeHtml } from '#shared/format';

/**
 * Closing a cabinet (`cabinet close`), which the seed's residents may ask for only through support
 * («Отключение ЛК возможно только после обращения… в техподдержку»): the same end as an ownership
 * transfer (endCabinetAccess: the cabinet with its password, e-mail and consent is deleted, every
 * session ends, every mailed link dies with the next link generation), then a notice to the
 * address the cabinet had. The account, its readings, charges and payments stay; the account can
 * be registered again, as new.
 */
export async function closeCabinet(account: string): Promise<{ email: string } | undefined> {
  const cabinet = await getCabinet(account, true);
  if (!cabinet) return undefined;
  await endCabinetAccess(account);
  await sendMail(cabinetClosedMail(cabinet.email, account));
  return { email: cabinet.email };
}

export function cabinetClosedMail(to: string, account: string): Mail {
  const register = `${config().publicUrl}/register`;
  const paragraphs = [
    `Личный кабинет лицевого счёта № ${account} закрыт: вход по паролю и все сеансы завершены, ` +
      'ссылки из прежних писем больше не действуют, согласие на обработку персональных данных в кабинете отозвано.',
    'Лицевой счёт, начисления и платежи сохранены. Квитанции и напоминания на этот адрес больше не придут.',
    `Зарегистрироваться снова можно в любое время: ${register}`,
    `Если вы не просили закрыть кабинет, позвоните в РАЦ: ${CENTRE.phone.display}.`,
  ];
  const footer = CENTRE.shortName;
  return {
    to,
    subject: 'Личный кабинет закрыт',
    text: `Здравствуйте!\n\n${paragraphs.join('\n\n')}\n\n${footer}`,
    html:
      '<p>Здравствуйте!</p>' +
      paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('') +
      `<p style="color:#555">${escapeHtml(footer)}</p>`,
  };
}
