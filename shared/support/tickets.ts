import { randomInt } from 'node:crypto';
import type * as z from 'zod/mini';
import { requireCabinet } from '#shared/accounts/profile';
import { type Cabinet, cabinetIdOf, getCabinet } from '#shared/accounts/store';
import { sendMail } from '#shared/clients/mail';
import { DomainError } from '#shared/errors';
import { keys } from '#shared/keys';
import { reserveAccountAttempt } from '#shared/limits/attempts';
import { receivedMail, residentMessageMail, ticketMail } from '#shared/support/mails';
import type { SupportTopic } from '#shared/support/schemas';
import { TICKET_NUMBER } from '#shared/support/schemas';
import {
  appendMessage,
  findTicketIn,
  getTicket,
  latestThreadsOf,
  MAX_THREAD_MESSAGES,
  type MessageRecord,
  messagesOf,
  putTicket,
  type StoredTicket,
  statusOf,
  type TicketRecord,
  ticketByNumber,
} from '#shared/support/store';
import { now } from '#shared/time';

export type SupportTopicId = z.output<typeof SupportTopic>;

export interface SupportInput {
  account?: string | undefined;
  name: string;
  address?: string | undefined;
  email: string;
  phone?: string | undefined;
  topic: SupportTopicId;
  message: string;
}

/**
 * Ticket numbers are 7 digits, random: read out on the phone, and telling nobody how many tickets
 * the centre gets. With a city's tickets a draw rarely meets a used number; putTicket refuses one.
 */
const newTicketNumber = () => String(randomInt(1_000_000, 10_000_000));

/**
 * A support request: stored as a ticket (under the account and its cabinet when the resident is
 * logged in), mailed to the centre's support address, and acknowledged to the writer
 * («Обращение № … получено»). A request to close the cabinet goes the same way; an operator carries
 * it out with `cabinet close`.
 */
export async function createTicket(input: SupportInput, sessionAccount: string | undefined) {
  const cabinet = sessionAccount ? await requireCabinet(sessionAccount) : undefined;
  // A guest's ticket is paid for by the robot check and the address limit; a cabinet's by this.
  if (sessionAccount) await reserveAccountAttempt('supportTickets', sessionAccount);
  const createdAt = now().toISOString();
  const account = sessionAccount ?? (input.account || undefined);
  const author = sessionAccount && cabinet ? { account: sessionAccount, cabinet: cabinetIdOf(cabinet) } : undefined;
  let id = '';
  for (let attempt = 0; !id; attempt++) {
    if (attempt === 8) throw new Error('No free support ticket number after 8 draws');
    const candidate = newTicketNumber();
    // A guest's ticket is not filed under the account it names: anyone can type any number.
    const record: TicketRecord = {
      id: candidate,
      account: account ?? null,
      verifiedAccount: Boolean(sessionAccount),
      ...(author ? { cabinet: author.cabinet } : {}),
      name: input.name,
      address: input.address ?? null,
      email: input.email,
      phone: input.phone || null,
      topic: input.topic,
      message: input.message,
      status: 'open',
      createdAt,
    };
    if (await putTicket(record, author)) id = candidate;
  }
  await sendMail(ticketMail({ ...input, id, account, verifiedAccount: Boolean(sessionAccount) }));
  // The resident's replies go to the cabinet's confirmed address; a guest's to the one typed in.
  const replyTo = cabinet ? cabinet.email : input.email;
  await sendMail(receivedMail(replyTo, id, Boolean(cabinet)));
  return {
    id,
    message: cabinet
      ? `Обращение № ${id} принято. Ответ придёт на ${replyTo} и появится в списке обращений ниже.`
      : `Обращение № ${id} принято. Ответ придёт на ${replyTo}.`,
  };
}

/** A thread as the resident and the API see it: the first message is the ticket's own. */
export function threadView(ticket: StoredTicket, messages: readonly MessageRecord[]) {
  return {
    id: String(ticket.id),
    topic: ticket.topic,
    status: statusOf(ticket.status),
    createdAt: String(ticket.createdAt),
    messages: [
      { from: 'resident' as const, text: String(ticket.message), at: String(ticket.createdAt) },
      ...messages.map((m) => ({ from: m.from, text: String(m.text), at: String(m.at) })),
    ],
  };
}

/**
 * The resident's threads: those written from their own cabinet. A previous owner's (before an
 * ownership transfer or a closed cabinet) stay with the centre.
 */
export async function ticketsOf(account: string, known?: Cabinet) {
  // `known`: the cabinet the session check read along (sessions.ts requireResident).
  const cabinet = known ?? (await requireCabinet(account));
  const threads = await latestThreadsOf(account, cabinetIdOf(cabinet));
  return { items: threads.map(({ ticket, messages }) => threadView(ticket, messages)) };
}

/** The cabinet's own ticket with this number, or ticket_not_found: another's is not told apart from none. */
async function ticketOfCabinet(account: string, cabinet: Cabinet, id: string): Promise<StoredTicket> {
  if (!TICKET_NUMBER.test(id)) throw DomainError.of('ticket_not_found');
  const own = keys.supportTicketsOfCabinet(cabinetIdOf(cabinet));
  const ticket =
    (await ticketByNumber(id)) ??
    // Tickets from before numbers have no number item: they are among the cabinet's own.
    (id.includes('-') ? await findTicketIn(keys.account(account).pk, own, id) : undefined);
  if (!ticket || ticket.pk !== keys.account(account).pk || !ticket.sk.startsWith(own)) {
    throw DomainError.of('ticket_not_found');
  }
  return ticket;
}

/**
 * Adds a message written by someone to a ticket, reading the ticket again whenever another writer
 * changed it in between (the status follows the last message; both messages stay). A closed
 * ticket takes no more: a help desk's closed case is closed, and a new question is a new ticket.
 */
export async function appendToThread(
  first: StoredTicket,
  from: MessageRecord['from'],
  text: string,
): Promise<StoredTicket> {
  let ticket: StoredTicket | undefined = first;
  for (let attempt = 0; attempt < 10; attempt++) {
    if (!ticket) throw DomainError.of('ticket_not_found');
    const status = statusOf(ticket.status);
    if (status === 'closed') throw DomainError.of('ticket_closed');
    if ((ticket.messageCount ?? 0) >= MAX_THREAD_MESSAGES) throw DomainError.of('ticket_too_long');
    const next = from === 'resident' ? 'open' : 'answered';
    const at = now().toISOString();
    // A ticket keeps its place in the queue while the same side writes again; tickets from before
    // threads have no place yet.
    const requeue = status !== next || !ticket.gsi1pk;
    if (await appendMessage(ticket, { ticketId: ticket.id, from, text, at }, { status: next, requeue })) {
      return ticket;
    }
    ticket = await getTicket(ticket);
  }
  throw new Error(`Support ticket ${first.id}: too many concurrent writers`);
}

/** `POST /api/support/{id}/messages`: the resident answers in their own thread; the centre is told. */
export async function addResidentMessage(account: string, id: string, text: string) {
  const cabinet = await requireCabinet(account);
  const ticket = await appendToThread(await ticketOfCabinet(account, cabinet, id), 'resident', text);
  await sendMail(residentMessageMail(ticket, text));
  const [fresh, messages] = await Promise.all([getTicket(ticket), messagesOf(ticket)]);
  return threadView(fresh ?? ticket, messages);
}

/** Whether the ticket's cabinet is still the account's current one: its replies then go there. */
export async function cabinetOfTicket(ticket: TicketRecord): Promise<Cabinet | undefined> {
  if (!ticket.account || !ticket.cabinet) return undefined;
  const cabinet = await getCabinet(ticket.account);
  return cabinet && cabinetIdOf(cabinet) === ticket.cabinet ? cabinet : undefined;
}
