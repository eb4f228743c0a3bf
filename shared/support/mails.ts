import type { Mail } from '#shared/clients/mail';
import { config } from '#shared/config';
import type { SupportTopicId } from '#shared/support/tickets';

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
    `Обращение № ${ticket.id} (${TOPIC_TITLES[ticket.topic]})`,
    `Лицевой счёт: ${ticket.account ?? 'не указан'}${ticket.verifiedAccount ? ' (житель вошёл в личный кабинет)' : ' (не подтверждён входом)'}`,
    `ФИО: ${ticket.name}`,
    `Адрес: ${ticket.address || '—'}`,
    `E-mail: ${ticket.email}`,
    `Телефон: ${ticket.phone || '—'}`,
    '',
    ticket.message,
  ];
  return {
    to: config().supportEmail,
    subject: `Обращение № ${ticket.id}: ${TOPIC_TITLES[ticket.topic]}`,
    text: lines.join('\n'),
  };
}
