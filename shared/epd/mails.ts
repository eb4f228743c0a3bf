import { CENTRE } from '#shared/centre';
import type { RawMail } from '#shared/clients/mail';
import { config } from '#shared/config';
import type { Epd } from '#shared/epd/model';
import { money } from '#shared/epd/template';
import { dateText, epdFileName, periodText } from '#shared/format';

/** The ЕПД's mail to a subscriber, in Russian: plain text, the bill attached as PDF. */

/** Short: what to pay and by when, where to pay, and where to end the subscription. */
export function epdMail(epd: Epd, to: string, pdf: Uint8Array): RawMail {
  const site = config().publicUrl;
  const phrase = periodText(epd.period);
  const due =
    epd.summary.toPay > 0
      ? `К оплате: ${money(epd.summary.toPay)} руб. Оплатить до ${dateText(epd.payBy)}.`
      : `Оплачивать ничего не нужно: на лицевом счёте переплата ${money(-epd.summary.closing)} руб.`;
  return {
    to,
    subject: `ЕПД за ${phrase} г. — лицевой счёт ${epd.account}`,
    text: [
      'Здравствуйте!',
      '',
      `Во вложении — единый платёжный документ (квитанция) за ${phrase} г. по лицевому счёту № ${epd.account}.`,
      due,
      '',
      `Оплатить картой можно в личном кабинете: ${site}/payments, а по QR-коду из квитанции — в приложении вашего банка.`,
      `Квитанции за прошлые месяцы — в разделе «Квитанции»: ${site}/epd.`,
      '',
      `Вы получили это письмо, потому что включили рассылку квитанций. Отключить её можно в профиле: ${site}/profile.`,
      '',
      CENTRE.shortName,
    ].join('\n'),
    attachments: [{ filename: epdFileName(epd.account, epd.period), contentType: 'application/pdf', content: pdf }],
  };
}
