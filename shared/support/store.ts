import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { db, tableName } from '#shared/clients/dynamo';
import { keys } from '#shared/keys';
import type { SupportTopicId, TicketStatus } from '#shared/support/tickets';

/**
 * Support tickets: a logged-in resident's under the account (keys.supportTicket: their list is
 * one query, newest first), a guest's by day (keys.guestSupportTicket).
 */
export interface TicketRecord {
  id: string;
  account: string | null;
  /** True when the resident was logged in: the account is theirs, not just typed in. */
  verifiedAccount: boolean;
  name: string;
  address: string | null;
  email: string;
  phone: string | null;
  topic: SupportTopicId;
  message: string;
  status: TicketStatus;
  createdAt: string;
}

export async function putTicket(ticket: TicketRecord, sessionAccount: string | undefined): Promise<void> {
  const key = sessionAccount
    ? keys.supportTicket(sessionAccount, ticket.createdAt, ticket.id)
    : keys.guestSupportTicket(ticket.createdAt, ticket.id);
  await db().send(new PutCommand({ TableName: tableName(), Item: { ...key, entity: 'ticket', ...ticket } }));
}

/** The account's latest 100 tickets, newest first. */
export async function latestTicketsOf(account: string): Promise<TicketRecord[]> {
  const out = await db().send(
    new QueryCommand({
      TableName: tableName(),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.account(account).pk, ':prefix': keys.supportTicketPrefix },
      ScanIndexForward: false,
      Limit: 100,
    }),
  );
  return (out.Items ?? []) as TicketRecord[];
}
