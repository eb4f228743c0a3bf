import { CENTRE } from '#shared/centre';
import type { Mail } from '#shared/clients/mail';
import { config } from '#shared/config';
import { escapeHtml } from '#shared/format';
import type { SupportTopicId } from '#shared/support/tickets';
import { moscowDateTimeText } from '#shared/time';

export const TOPIC_TITLES: Record<SupportTopicId, string> = {
  question: 'Вопрос',
  readings: 'Показания счётчиков',
  payments: 'Оплата',
  close_cabinet: 'Закрытие личного кабинета',
};

/** The ticket as the centre's support staff receive it, at the centre's support address. */
export function ticketMail(ticket: {
  id: string;
  topic: SupportTopicId;
  account: string | undefined;
  verifiedAccount: boolean;
  name: string;
  address?: string | undefined;
  email: string;
  phone?: string | undefined;
  message: string;
}): Mail {
  const lines = [
    `Обращение № ${ticket.id} (${TOPIC_TITLES[ticket.topic]})`,
    `Лицевой счёт: ${ticket.account ?? 'не указан'}${ticket.verifiedAccount ? ' (житель вошёл в личный кабинет)' : ' (не подтверждён входом)'}`,
    `ФИО: ${ticket.name}`,
    `Адрес: ${ticket.address || '—'}`,
    `E-mail: ${ticket.email}`,
    `Телефон: ${ticket.phone || '—'}`,
    '',
    ticket.message,
    '',
    `Ответить: npm run rac -- support reply ${ticket.id} --text "…"`,
  ];
  return {
    to: config().supportEmail,
    subject: `Обращение № ${ticket.id}: ${TOPIC_TITLES[ticket.topic]}`,
    text: lines.join('\n'),
  };
}

/** A resident's new message in an existing thread, to the centre's support address. */
export function residentMessageMail(ticket: { id: string; account: string | null }, text: string): Mail {
  return {
    to: config().supportEmail,
    subject: `Обращение № ${ticket.id}: новое сообщение жителя`,
    text: [
      `Обращение № ${ticket.id}, лицевой счёт ${ticket.account ?? '—'}: житель ответил в личном кабинете.`,
      '',
      text,
      '',
      `Ответить: npm run rac -- support reply ${ticket.id} --text "…"`,
    ].join('\n'),
  };
}

function residentMail(to: string, subject: string, paragraphs: string[]): Mail {
  const footer = `${CENTRE.shortName}, ${CENTRE.phone.display}`;
  return {
    to,
    subject,
    text: `Здравствуйте!\n\n${paragraphs.join('\n\n')}\n\n${footer}`,
    html:
      '<p>Здравствуйте!</p>' +
      paragraphs.map((p) => `<p style="white-space:pre-line">${escapeHtml(p)}</p>`).join('') +
      `<p style="color:#555">${escapeHtml(footer)}</p>`,
  };
}

const supportUrl = () => `${config().publicUrl}/support`;

/**
 * «Обращение № … получено», to whoever wrote it. A guest's address is typed by anyone, so the mail
 * repeats none of the message: the form cannot be used to send someone else a text of one's own.
 */
export function receivedMail(to: string, id: string, inCabinet: boolean): Mail {
  return residentMail(to, `Обращение № ${id} получено`, [
    `Мы получили ваше обращение № ${id} и ответим в течение рабочего дня.`,
    inCabinet
      ? `Ответ придёт на этот адрес и появится в личном кабинете: ${supportUrl()}`
      : 'Ответ придёт на этот адрес. Если вы не писали в РАЦ, просто проигнорируйте это письмо.',
  ]);
}

/** The centre's reply: to the cabinet's address (or, with no cabinet, the one the ticket gave). */
export function replyMail(to: string, ticket: { id: string; createdAt: string }, text: string, inCabinet: boolean) {
  return residentMail(to, `Ответ на обращение № ${ticket.id}`, [
    `Ответ РАЦ на ваше обращение № ${ticket.id} от ${moscowDateTimeText(ticket.createdAt)}:`,
    text,
    inCabinet
      ? `Ответить или задать уточняющий вопрос можно в личном кабинете: ${supportUrl()}`
      : `Если вопрос остался, напишите новое обращение и укажите номер ${ticket.id}: ${supportUrl()}`,
  ]);
}

/** The ticket closed by the centre. */
export function closedMail(to: string, id: string): Mail {
  return residentMail(to, `Обращение № ${id} закрыто`, [
    `Обращение № ${id} закрыто. Если вопрос остался, напишите новое обращение: ${supportUrl()}`,
  ]);
}
