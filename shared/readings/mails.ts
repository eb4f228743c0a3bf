import { CENTRE } from '#shared/centre';
import type { Mail } from '#shared/clients/mail';
import { config } from '#shared/config';
import { dateText, decimalComma, escapeHtml, periodText } from '#shared/format';
import { type ServiceId, serviceById } from '#shared/registry/services';
import { moscowDate, moscowDateTimeText } from '#shared/time';

/** The readings mails: the window reminder, the verification warning and the no-login notice, in Russian. */

function mail(to: string, subject: string, paragraphs: string[], link: { text: string; path: string }): Mail {
  const url = `${config().publicUrl}${link.path}`;
  const footer = `${CENTRE.shortName}. Письмо отправлено автоматически, отвечать на него не нужно.`;
  return {
    to,
    subject,
    text: `Здравствуйте!\n\n${paragraphs.join('\n\n')}\n\n${link.text}:\n${url}\n\n${footer}`,
    html:
      `<p>Здравствуйте!</p>${paragraphs.map((p) => `<p>${escapeHtml(p).replaceAll('\n', '<br>')}</p>`).join('')}` +
      `<p><a href="${escapeHtml(url)}">${escapeHtml(link.text)}</a></p><p>${escapeHtml(footer)}</p>`,
  };
}

/** Sent when the window opens, to residents who keep reminders on. */
export function reminderMail(to: string, account: string, window: { period: string; closesAt: string }): Mail {
  // The window closes at 00:00 of its closing day: the last day to submit is the day before.
  const lastDay = moscowDate(new Date(new Date(window.closesAt).getTime() - 1));
  return mail(
    to,
    'Открыт приём показаний счётчиков',
    [
      `Начался приём показаний счётчиков за ${periodText(window.period)} по лицевому счёту № ${account}. ` +
        `Передайте их до ${dateText(lastDay)} включительно — иначе начисление будет по среднему расходу, а затем по нормативу.`,
      'Напоминания можно отключить в личном кабинете, в разделе «Профиль».',
    ],
    { text: 'Передать показания', path: '/readings' },
  );
}

export interface ExpiringMeter {
  serial: string;
  service: ServiceId;
  verifiedUntil: string;
}

/** Sent about a month before a meter's verification ends; one mail lists an account's meters. */
export function verificationMail(to: string, account: string, meters: readonly ExpiringMeter[]): Mail {
  const list = meters
    .map((m) => `• ${serviceById(m.service).title}, счётчик № ${m.serial} — до ${dateText(m.verifiedUntil)}`)
    .join('\n');
  return mail(
    to,
    meters.length === 1 ? 'Заканчивается срок поверки счётчика' : 'Заканчивается срок поверки счётчиков',
    [
      `По лицевому счёту № ${account} заканчивается срок поверки:\n${list}`,
      'После этой даты показания счётчика не принимаются и начисление идёт по среднему расходу, а затем по ' +
        'нормативу. Закажите поверку или замену счётчика и передайте в РАЦ документ о поверке (установке).',
    ],
    { text: 'Счётчики в личном кабинете', path: '/readings' },
  );
}

export interface QuickSubmittedReading {
  serial: string;
  service: ServiceId;
  value: string;
}

/**
 * Sent to a registered resident when readings of their account were submitted without logging in
 * (by account number and the code from the picture): anyone who knows the number can do that, so
 * the resident learns what was sent and can correct it from the cabinet, where their own
 * submission always replaces these.
 */
export function quickSubmissionMail(
  to: string,
  account: string,
  submission: { period: string; submittedAt: string; readings: readonly QuickSubmittedReading[] },
): Mail {
  const list = submission.readings
    .map((r) => `• ${serviceById(r.service).title}, счётчик № ${r.serial}: ${decimalComma(r.value)}`)
    .join('\n');
  return mail(
    to,
    'Переданы показания счётчиков без входа в личный кабинет',
    [
      `${moscowDateTimeText(submission.submittedAt)} по лицевому счёту № ${account} переданы показания за ` +
        `${periodText(submission.period)} без входа в личный кабинет (по номеру лицевого счёта):\n${list}`,
      'Если показания передавали не вы или в них ошибка, войдите в личный кабинет и передайте верные — они ' +
        'заменят эти. Ваши исправления в личном кабинете не ограничиваются передачами без входа.',
    ],
    { text: 'Проверить показания', path: '/readings' },
  );
}
