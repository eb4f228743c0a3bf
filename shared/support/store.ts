import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { db, tableName } from '#shared/clients/dynamo';
import { keys } from '#shared/keys';
import type { SupportTopicId, TicketStatus } from '#shared/support/tickets';
import { moscowDate } from '#shared/time';

/**
 * Support tickets: a logged-in resident's under the account and their cabinet (keys.supportTicket:
 * their list is one query, newest first), a guest's by day (keys.guestSupportTicket).
 */
export interface TicketRecord {
  id: string;
  account: string | null;
  /** True when the resident was logged in: the account is theirs, not just typed in. */
  verifiedAccount: boolean;
  /** The cabinet it was written from (accounts/store cabinetIdOf); absent for a guest's ticket. */
  cabinet?: string;
  name: string;
  address: string | null;
  email: string;
  phone: string | null;
  topic: SupportTopicId;
  message: string;
  status: TicketStatus;
  createdAt: string;
}

/** Who wrote a ticket: a logged-in resident (their account and cabinet), or a guest. */
export type TicketAuthor = { account: string; cabinet: string } | undefined;

export async function putTicket(ticket: TicketRecord, author: TicketAuthor): Promise<void> {
  const key = author
    ? keys.supportTicket(author.account, author.cabinet, ticket.createdAt, ticket.id)
    : keys.guestSupportTicket(moscowDate(new Date(ticket.createdAt)), ticket.createdAt, ticket.id);
  await db().send(new PutCommand({ TableName: tableName(), Item: { ...key, entity: 'ticket', ...ticket } }));
}

/** The cabinet's latest 100 tickets, newest first; tickets of the account's earlier cabinets are not read. */
export async function latestTicketsOf(account: string, cabinet: string): Promise<TicketRecord[]> {
  const out = await db().send(
    new QueryCommand({
      TableName: tableName(),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.account(account).pk, ':prefix': keys.supportTicketsOfCabinet(cabinet) },
      ScanIndexForward: false,
      Limit: 100,
    }),
  );
  return (out.Items ?? []) as TicketRecord[];
}
