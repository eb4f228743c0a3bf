import { sendMail } from '#shared/clients/mail';
import { DomainError } from '#shared/errors';
import { keys } from '#shared/keys';
import { closedMail, replyMail } from '#shared/support/mails';
import { TICKET_NUMBER } from '#shared/support/schemas';
import {
  closeTicketItem,
  findTicketIn,
  getTicket,
  type MessageRecord,
  messagesOf,
  type StoredTicket,
  statusOf,
  ticketByNumber,
  ticketsInQueue,
} from '#shared/support/store';
import { appendToThread, cabinetOfTicket, threadView } from '#shared/support/tickets';
import { now } from '#shared/time';

/**
 * The centre's side of support, for the operator CLI: the queues, a thread, a reply (stored in the
 * thread and mailed), closing. Guests' tickets are in the same queues; they are answered by mail
 * only, having no cabinet to read the thread in.
 */

/** An operator's mistake (an unknown number, a closed ticket), in words for the operator. */
export class SupportCommandError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SupportCommandError';
  }
}

/**
 * The ticket with this number. Numbered tickets are found by their number item; tickets from before
 * numbers (`YYYYMMDD-XXXXXX`) by their day (a guest's) or with the account they were filed under.
 */
export async function findTicket(id: string, account?: string): Promise<StoredTicket> {
  if (!TICKET_NUMBER.test(id)) throw new SupportCommandError(`номер обращения — 7 цифр, а не «${id}»`);
  let ticket = await ticketByNumber(id);
  if (!ticket && id.includes('-')) {
    const day = `${id.slice(0, 4)}-${id.slice(4, 6)}-${id.slice(6, 8)}`;
    ticket =
      (await findTicketIn(keys.guestSupportTicketsOf(day), keys.supportTicketPrefix, id)) ??
      (account ? await findTicketIn(keys.account(account).pk, keys.supportTicketPrefix, id) : undefined);
    if (!ticket && !account) {
      throw new SupportCommandError(
        `обращение № ${id} не найдено; для обращений жителей до нумерации укажите --account ЛИЦЕВОЙ_СЧЁТ`,
      );
    }
  }
  if (!ticket) throw new SupportCommandError(`обращение № ${id} не найдено`);
  return ticket;
}

/** Tickets waiting for the centre (open), then those waiting for the resident (answered) unless `openOnly`. */
export async function listTickets(openOnly: boolean): Promise<StoredTicket[]> {
  const open = await ticketsInQueue('open');
  return openOnly ? open : [...open, ...(await ticketsInQueue('answered'))];
}

export async function ticketThread(ticket: StoredTicket) {
  return threadView(ticket, await messagesOf(ticket));
}

/** Where the resident reads replies: the cabinet's address while the ticket's cabinet lasts, else the ticket's. */
async function recipientOf(ticket: StoredTicket): Promise<{ email: string; inCabinet: boolean }> {
  const cabinet = await cabinetOfTicket(ticket);
  return cabinet ? { email: cabinet.email, inCabinet: true } : { email: ticket.email, inCabinet: false };
}

/** The centre's reply: added to the thread (status answered) and mailed. Returns the address it went to. */
export async function replyToTicket(ticket: StoredTicket, text: string): Promise<{ email: string }> {
  if (statusOf(ticket.status) === 'closed') {
    throw new SupportCommandError(`обращение № ${ticket.id} закрыто: ответ не добавлен`);
  }
  const stored = await appendToThread(ticket, 'centre' satisfies MessageRecord['from'], text).catch((error) => {
    if (error instanceof DomainError && error.code === 'ticket_closed') {
      throw new SupportCommandError(`обращение № ${ticket.id} закрыто: ответ не добавлен`);
    }
    throw error;
  });
  const to = await recipientOf(stored);
  await sendMail(replyMail(to.email, stored, text, to.inCabinet));
  return { email: to.email };
}

/**
 * Closes the ticket (no more messages; out of the queues) and mails a notice unless `notify` is
 * false (`cabinet close` mails its own). False when it was closed already: nothing changes.
 */
export async function closeTicket(ticket: StoredTicket, notify = true): Promise<boolean> {
  const closed = await closeTicketItem(ticket, now().toISOString());
  if (!closed) return false;
  if (notify) {
    const to = await recipientOf(ticket);
    await sendMail(closedMail(to.email, ticket.id));
  }
  return true;
}

/** The ticket as fresh from the table (after a reply or a close). */
export const reread = async (ticket: StoredTicket) => (await getTicket(ticket)) ?? ticket;
