import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import { requireCabinet } from '#shared/accounts/profile';
import { cabinetIdOf } from '#shared/accounts/store';
import { sendMail } from '#shared/clients/mail';
import { ticketMail } from '#shared/support/mails';
import type { SupportTicket, SupportTopic } from '#shared/support/schemas';
import { latestTicketsOf, putTicket } from '#shared/support/store';
import { moscowDate, now } from '#shared/time';

export type SupportTopicId = z.output<typeof SupportTopic>;
export type TicketStatus = z.output<typeof SupportTicket>['status'];

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
 * A support request: stored as a ticket (under the account and its cabinet when the resident is
 * logged in) and mailed to the centre's support address. A request to close the cabinet goes the
 * same way.
 */
export async function createTicket(input: SupportInput, sessionAccount: string | undefined) {
  const cabinet = sessionAccount ? await requireCabinet(sessionAccount) : undefined;
  const at = now();
  const createdAt = at.toISOString();
  // The id starts with the Moscow date: a ticket written at 01:00 МСК carries that day, not the UTC one.
  const id = `${moscowDate(at).replaceAll('-', '')}-${randomBytes(3).toString('hex').toUpperCase()}`;
  const account = sessionAccount ?? (input.account || undefined);
  // A guest's ticket is not filed under the account it names: anyone can type any number.
  await putTicket(
    {
      id,
      account: account ?? null,
      verifiedAccount: Boolean(sessionAccount),
      ...(cabinet ? { cabinet: cabinetIdOf(cabinet) } : {}),
      name: input.name,
      address: input.address ?? null,
      email: input.email,
      phone: input.phone || null,
      topic: input.topic,
      message: input.message,
      status: 'new',
      createdAt,
    },
    sessionAccount && cabinet ? { account: sessionAccount, cabinet: cabinetIdOf(cabinet) } : undefined,
  );
  await sendMail(ticketMail({ ...input, id, account, verifiedAccount: Boolean(sessionAccount) }));
  return { id, message: `Обращение № ${id} принято. Ответ придёт на ${input.email}.` };
}

/**
 * The resident's tickets: those written from their own cabinet. A previous owner's (before an
 * ownership transfer or a closed cabinet) stay with the centre.
 */
export async function ticketsOf(account: string) {
  const cabinet = await requireCabinet(account);
  const tickets = await latestTicketsOf(account, cabinetIdOf(cabinet));
  return {
    items: tickets.map((t) => ({
      id: String(t.id),
      topic: t.topic,
      message: String(t.message),
      status: t.status,
      createdAt: String(t.createdAt),
    })),
  };
}
