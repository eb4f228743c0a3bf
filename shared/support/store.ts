import { randomBytes } from 'node:crypto';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { db, queryAll, tableName } from '#shared/clients/dynamo';
import { keys } from '#shared/keys';
import type { SupportTopicId } from '#shared/support/tickets';
import { GSI1 } from '#shared/tables';
import { moscowDate } from '#shared/time';

/**
 * Support tickets and their threads:
 *
 * | Item            | Key (shared/keys.ts)                                   | Access                                 |
 * |-----------------|--------------------------------------------------------|----------------------------------------|
 * | ticket          | keys.supportTicket (resident) / guestSupportTicket     | put with its number; get; update       |
 * | message         | keys.supportMessage (under the ticket's key)           | put with the ticket's update; query    |
 * | number          | keys.supportTicketNumber                               | put with the ticket; get               |
 * | queue (gsi1)    | keys.supportQueue on the ticket item                   | query per status (CLI `support list`)  |
 *
 * The ticket item holds the first message; every later one is an item of its own, written in one
 * transaction with the ticket's status under a condition on the status the writer read, so two
 * messages at once are both kept and the status always follows the last of them.
 */

/** Statuses as stored: tickets from before threads say `new` or `in_progress`, read as `open`. */
export type StoredStatus = 'open' | 'answered' | 'closed' | 'new' | 'in_progress';
export type TicketStatus = 'open' | 'answered' | 'closed';

export const statusOf = (stored: StoredStatus): TicketStatus =>
  stored === 'answered' || stored === 'closed' ? stored : 'open';

/** The most messages a thread takes after the first: a thread stays readable, and its query small. */
export const MAX_THREAD_MESSAGES = 100;

export interface TicketKey {
  pk: string;
  sk: string;
}

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
  /** The first message. */
  message: string;
  status: StoredStatus;
  createdAt: string;
  updatedAt?: string;
  closedAt?: string;
  /** Messages after the first (absent: none). */
  messageCount?: number;
  gsi1pk?: string;
}

export type StoredTicket = TicketRecord & TicketKey;

export interface MessageRecord {
  ticketId: string;
  from: 'resident' | 'centre';
  text: string;
  at: string;
}

/** Who wrote a ticket: a logged-in resident (their account and cabinet), or a guest. */
export type TicketAuthor = { account: string; cabinet: string } | undefined;

export function ticketKeyOf(ticket: Pick<TicketRecord, 'id' | 'createdAt'>, author: TicketAuthor): TicketKey {
  return author
    ? keys.supportTicket(author.account, author.cabinet, ticket.createdAt, ticket.id)
    : keys.guestSupportTicket(moscowDate(new Date(ticket.createdAt)), ticket.createdAt, ticket.id);
}

/**
 * Stores a new ticket with its number, both under attribute_not_exists: false when the number is
 * already taken (the caller draws another), so no two tickets ever share one.
 */
export async function putTicket(ticket: TicketRecord, author: TicketAuthor): Promise<boolean> {
  const key = ticketKeyOf(ticket, author);
  try {
    await db().send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: tableName(),
              Item: {
                ...key,
                entity: 'ticket',
                ...ticket,
                updatedAt: ticket.createdAt,
                ...keys.supportQueue('open', ticket.createdAt, ticket.id),
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            Put: {
              TableName: tableName(),
              Item: {
                ...keys.supportTicketNumber(ticket.id),
                entity: 'ticketNumber',
                ticketPk: key.pk,
                ticketSk: key.sk,
                ...(author ? { account: author.account, cabinet: author.cabinet } : {}),
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        ],
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof TransactionCanceledException) return false;
    throw error;
  }
}

/** Where the ticket with this number lives (tickets numbered since threads; earlier ones: findLegacyTicket). */
export async function ticketByNumber(id: string): Promise<StoredTicket | undefined> {
  const ref = await db().send(
    new GetCommand({ TableName: tableName(), Key: keys.supportTicketNumber(id), ConsistentRead: true }),
  );
  if (!ref.Item) return undefined;
  return getTicket({ pk: String(ref.Item.ticketPk), sk: String(ref.Item.ticketSk) });
}

export async function getTicket(key: TicketKey): Promise<StoredTicket | undefined> {
  const out = await db().send(
    new GetCommand({ TableName: tableName(), Key: { pk: key.pk, sk: key.sk }, ConsistentRead: true }),
  );
  return out.Item as StoredTicket | undefined;
}

/**
 * A ticket from before numbers (`YYYYMMDD-XXXXXX`), looked for where it can be: among one
 * partition's tickets under `prefix` (a cabinet's, or a guest day's). Those are few; no scan.
 */
export async function findTicketIn(pk: string, prefix: string, id: string): Promise<StoredTicket | undefined> {
  const items = await queryAll<StoredTicket>({
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    FilterExpression: 'entity = :ticket AND id = :id',
    ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix, ':ticket': 'ticket', ':id': id },
  });
  return items[0];
}

/** The messages after the first, oldest first. */
export async function messagesOf(ticket: TicketKey): Promise<MessageRecord[]> {
  return queryAll<MessageRecord>({
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': ticket.pk, ':prefix': keys.supportMessagesOf(ticket.sk) },
  });
}

/**
 * The cabinet's latest `max` tickets with their threads, newest ticket first, in one query of the
 * cabinet's prefix: read backwards, a ticket's messages (its sk and more) come just before it.
 * Tickets of the account's earlier cabinets are not read.
 */
export async function latestThreadsOf(
  account: string,
  cabinet: string,
  max = 50,
): Promise<Array<{ ticket: StoredTicket; messages: MessageRecord[] }>> {
  const threads: Array<{ ticket: StoredTicket; messages: MessageRecord[] }> = [];
  let pending: MessageRecord[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db().send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: {
          ':pk': keys.account(account).pk,
          ':prefix': keys.supportTicketsOfCabinet(cabinet),
        },
        ScanIndexForward: false,
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) {
      if (item.entity === 'ticketMessage') pending.push(item as MessageRecord);
      else if (item.entity === 'ticket') {
        threads.push({ ticket: item as StoredTicket, messages: pending.reverse() });
        pending = [];
        if (threads.length >= max) return threads;
      }
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return threads;
}

/** What a new message does to its ticket: the status it moves to, and whether it re-enters its queue. */
export interface TicketMove {
  status: 'open' | 'answered';
  /** Set the queue keys (the ticket changes queue, or had none); false keeps its place. */
  requeue: boolean;
}

/**
 * Adds a message to the thread if the ticket is still as `seen` (its stored status and count):
 * false when another writer changed it first (or it is closed), and the caller reads again.
 */
export async function appendMessage(seen: StoredTicket, message: MessageRecord, move: TicketMove): Promise<boolean> {
  const set = ['#status = :status', 'updatedAt = :at'];
  const values: Record<string, unknown> = {
    ':status': move.status,
    ':at': message.at,
    ':seen': seen.status,
    ':one': 1,
    ':count': seen.messageCount ?? 0,
  };
  if (move.requeue) {
    const queue = keys.supportQueue(move.status, message.at, seen.id);
    set.push('gsi1pk = :qpk', 'gsi1sk = :qsk');
    values[':qpk'] = queue.gsi1pk;
    values[':qsk'] = queue.gsi1sk;
  }
  try {
    await db().send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: tableName(),
              Item: {
                ...keys.supportMessage(seen, message.at, randomBytes(4).toString('hex')),
                entity: 'ticketMessage',
                ...message,
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            Update: {
              TableName: tableName(),
              Key: { pk: seen.pk, sk: seen.sk },
              UpdateExpression: `SET ${set.join(', ')} ADD messageCount :one`,
              ConditionExpression:
                'attribute_exists(pk) AND #status = :seen AND ' +
                '(attribute_not_exists(messageCount) OR messageCount = :count)',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: values,
            },
          },
        ],
      }),
    );
    return true;
  } catch (error) {
    // A failed condition or a transaction conflict (DynamoDB's answer to two writers at once): read again.
    if (error instanceof TransactionCanceledException) return false;
    throw error;
  }
}

/** Closes the ticket and takes it out of the operators' queues; false when it was closed already. */
export async function closeTicketItem(key: TicketKey, at: string): Promise<boolean> {
  try {
    await db().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: { pk: key.pk, sk: key.sk },
        UpdateExpression: 'SET #status = :closed, closedAt = :at, updatedAt = :at REMOVE gsi1pk, gsi1sk',
        ConditionExpression: 'attribute_exists(pk) AND #status <> :closed',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':closed': 'closed', ':at': at },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/** Tickets waiting in a queue, longest waiting first. */
export async function ticketsInQueue(status: 'open' | 'answered', limit = 500): Promise<StoredTicket[]> {
  return queryAll<StoredTicket>(
    {
      IndexName: GSI1,
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.supportQueueOf(status) },
    },
    limit,
  );
}
