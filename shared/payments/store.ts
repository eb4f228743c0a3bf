import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { type LedgerLine, paymentEntry } from '#shared/billing/ledger';
import { db, tableName } from '#shared/clients/dynamo';
import { keys } from '#shared/keys';
import { isOpen, type PaymentChannel, type PaymentStatus, type ServiceShare } from '#shared/payments/model';
import { GSI1 } from '#shared/tables';

/**
 * Payments in the single table. A payment item lives in its account's payments partition
 * (`pk PAYMENTS#<account>`, `sk <id>`); while it is open it also sits in the open-payments index
 * (gsi1), and while held for review in the review index. A status change is one conditional
 * update (`status = <the status it was read in>`), and when money moves the ledger entry is put in
 * the same transaction under `attribute_not_exists`: a repeated, concurrent or out-of-order
 * change can neither take a status back nor credit twice.
 */

export type BankVia = 'notification' | 'registry';

export interface StatusChange {
  status: PaymentStatus;
  at: string;
  reason?: string;
}

export interface PaymentItem {
  pk: string;
  sk: string;
  entity: 'payment';
  id: string;
  account: string;
  /** Kopecks. */
  amount: number;
  status: PaymentStatus;
  channel: PaymentChannel;
  /** The split by service the resident asked for (card payments). */
  services?: ServiceShare[];
  /** The bill (period) the payer named: "pay this bill", the QR's PaymPeriod, the bank's period. */
  period?: string;
  createdAt: string;
  updatedAt: string;
  /** The acquirer's order id (mdOrder) and payment page. */
  orderId?: string;
  paymentUrl?: string;
  /** Payments reported by a bank: the bank, its transaction id, and how it reached us. */
  bank?: string;
  bankTransactionId?: string;
  via?: BankVia;
  paidAt?: string;
  /** The lines credited to the ledger (positive kopecks per service and bill, `forPeriod`). */
  allocation?: LedgerLine[];
  /** Review: what the gateway says was paid. */
  paidAmount?: number;
  refundedAmount?: number;
  reason?: string;
  history: StatusChange[];
  /**
   * Paid without login (`POST /api/pay`, shared/payments/guest.ts): the payer's name as they
   * confirmed it, masked («Иванова М. П.»). Absent on the resident's own payments.
   */
  payer?: string;
  /** A guest payment's receipt address, removed once the receipt is mailed (kept no longer than needed). */
  receiptEmail?: string;
  /** The receipt mail's claim (set before sending, so it goes once) and when it was handed to SES. */
  receiptClaimedAt?: string;
  receiptMailedAt?: string;
  /** Sends of the receipt that SES surely refused; after RECEIPT_TRIES it is given up (`receiptGivenUpAt`). */
  receiptTries?: number;
  receiptGivenUpAt?: string;
  gsi1pk?: string;
  gsi1sk?: string;
}

export const PAYMENT_SOURCE: Record<PaymentChannel, string> = { card: 'sber', bank: 'bank' };

export async function putNewPayment(item: PaymentItem): Promise<void> {
  await db().send(
    new PutCommand({ TableName: tableName(), Item: item, ConditionExpression: 'attribute_not_exists(pk)' }),
  );
}

export async function getPayment(account: string, id: string, consistent = false): Promise<PaymentItem | undefined> {
  const out = await db().send(
    new GetCommand({ TableName: tableName(), Key: keys.payment(account, id), ConsistentRead: consistent }),
  );
  return out.Item as PaymentItem | undefined;
}

/**
 * A payment and its payer's registry record in one BatchGetItem (the receipt shows both); keys
 * left unprocessed under load are asked for again.
 */
export async function getPaymentAndPayer(
  account: string,
  id: string,
): Promise<{ payment: PaymentItem | undefined; payer: { owner?: string; address?: string } | undefined }> {
  const found: Record<string, unknown>[] = [];
  let request: Record<string, unknown>[] | undefined = [keys.payment(account, id), keys.account(account)];
  for (let attempt = 0; request?.length; attempt++) {
    if (attempt >= 8) throw new Error('DynamoDB left keys unprocessed after retries');
    if (attempt > 0) await new Promise((r) => setTimeout(r, Math.random() * 50 * 2 ** attempt));
    const out: BatchGetCommandOutput = await db().send(
      new BatchGetCommand({ RequestItems: { [tableName()]: { Keys: request } } }),
    );
    found.push(...(out.Responses?.[tableName()] ?? []));
    request = out.UnprocessedKeys?.[tableName()]?.Keys;
  }
  const paymentKey = keys.payment(account, id);
  return {
    payment: found.find((i) => i.pk === paymentKey.pk && i.sk === paymentKey.sk) as PaymentItem | undefined,
    payer: found.find((i) => i.pk === keys.account(account).pk) as { owner?: string; address?: string } | undefined,
  };
}

/** The account's payments, newest first (ids begin with their time). */
export async function paymentsOf(account: string, limit: number): Promise<PaymentItem[]> {
  const out = await db().send(
    new QueryCommand({
      TableName: tableName(),
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.paymentsOf(account) },
      ScanIndexForward: false,
      Limit: limit,
    }),
  );
  return (out.Items ?? []) as PaymentItem[];
}

/** Open payments created before `cutoff` (ISO), oldest first, at most `limit` per shard. */
export async function openPaymentsBefore(cutoff: string, limit: number): Promise<PaymentItem[]> {
  const pages = await Promise.all(
    keys.openPaymentShards().map((shard) =>
      db().send(
        new QueryCommand({
          TableName: tableName(),
          IndexName: GSI1,
          KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk < :cutoff',
          ExpressionAttributeValues: { ':pk': shard, ':cutoff': cutoff },
          Limit: limit,
        }),
      ),
    ),
  );
  return pages
    .flatMap((page) => (page.Items ?? []) as PaymentItem[])
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

/** Payments held for review, oldest first. */
export async function paymentsInReview(limit: number): Promise<PaymentItem[]> {
  const out = await db().send(
    new QueryCommand({
      TableName: tableName(),
      IndexName: GSI1,
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.paymentsInReview },
      Limit: limit,
    }),
  );
  return (out.Items ?? []) as PaymentItem[];
}

/** created → pending with the acquirer's order; false when the payment had already moved on. */
export async function markRegistered(payment: PaymentItem, orderId: string, paymentUrl: string, at: string) {
  try {
    await db().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.payment(payment.account, payment.id),
        UpdateExpression:
          'SET #status = :to, orderId = :orderId, paymentUrl = :url, updatedAt = :at, #history = list_append(#history, :h)',
        ConditionExpression: '#status = :from',
        ExpressionAttributeNames: { '#status': 'status', '#history': 'history' },
        ExpressionAttributeValues: {
          ':to': 'pending',
          ':from': 'created',
          ':orderId': orderId,
          ':url': paymentUrl,
          ':at': at,
          ':h': [{ status: 'pending', at }],
        },
      }),
    );
    return true;
  } catch (error) {
    if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return false;
    throw error;
  }
}

export interface TransitionWrite {
  to: PaymentStatus;
  at: string;
  reason?: string | undefined;
  paidAt?: string | undefined;
  paidAmount?: number | undefined;
  refundedAmount?: number | undefined;
  /** The acquirer's order id, when the payment learns it only now (a callback before register.do's answer was stored). */
  orderId?: string | undefined;
  /** Credit: the lines to credit (positive kopecks) and the period of the entry. */
  credit?: { allocation: LedgerLine[]; period: string } | undefined;
  /** Refund: the lines to take back (positive kopecks) and the period of the entry. */
  refund?: { lines: LedgerLine[]; period: string } | undefined;
}

export type TransitionOutcome = 'applied' | 'moved' | 'conflict';

/**
 * The payment's status change and its ledger entry, in one transaction. `moved`: the payment was no
 * longer in the status it was read in (someone else settled it): re-read and decide again.
 * `conflict`: a concurrent transaction touched the same items (real DynamoDB only): retry.
 */
export async function writeTransition(payment: PaymentItem, change: TransitionWrite): Promise<TransitionOutcome> {
  const names: Record<string, string> = { '#status': 'status', '#history': 'history' };
  const values: Record<string, unknown> = {
    ':to': change.to,
    ':from': payment.status,
    ':at': change.at,
    ':h': [{ status: change.to, at: change.at, ...(change.reason ? { reason: change.reason } : {}) }],
  };
  const set = ['#status = :to', 'updatedAt = :at', '#history = list_append(#history, :h)'];
  const remove: string[] = [];
  const optional: Array<[string, unknown]> = [
    ['reason', change.reason],
    ['paidAt', change.paidAt],
    ['paidAmount', change.paidAmount],
    ['refundedAmount', change.refundedAmount],
    ['orderId', change.orderId],
    ['allocation', change.credit?.allocation],
  ];
  for (const [name, value] of optional) {
    if (value === undefined) continue;
    set.push(`${name} = :${name}`);
    values[`:${name}`] = value;
  }
  if (change.to === 'review') {
    const review = keys.reviewPayment(payment.id, change.at);
    set.push('gsi1pk = :rpk', 'gsi1sk = :rsk');
    values[':rpk'] = review.gsi1pk;
    values[':rsk'] = review.gsi1sk;
  } else if (!isOpen(change.to)) {
    remove.push('gsi1pk', 'gsi1sk');
  }
  const items: NonNullable<TransactWriteCommandInput['TransactItems']> = [
    {
      Update: {
        TableName: tableName(),
        Key: keys.payment(payment.account, payment.id),
        UpdateExpression: `SET ${set.join(', ')}${remove.length ? ` REMOVE ${remove.join(', ')}` : ''}`,
        ConditionExpression: '#status = :from',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
    },
  ];
  const source = PAYMENT_SOURCE[payment.channel];
  if (change.credit) {
    items.push({
      Put: {
        TableName: tableName(),
        Item: paymentEntry({
          account: payment.account,
          paymentId: payment.id,
          period: change.credit.period,
          allocation: change.credit.allocation,
          paidAt: change.paidAt ?? change.at,
          source,
        }),
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    });
  }
  if (change.refund) {
    items.push({
      Put: {
        TableName: tableName(),
        // The refund reverses the credit: a payment entry of its own with positive lines.
        Item: paymentEntry({
          account: payment.account,
          paymentId: `${payment.id}.refund`,
          period: change.refund.period,
          allocation: change.refund.lines.map((l) => ({ ...l, amount: -l.amount })),
          paidAt: change.at,
          source,
        }),
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    });
  }
  try {
    await db().send(new TransactWriteCommand({ TransactItems: items }));
    return 'applied';
  } catch (error) {
    if (!(error instanceof TransactionCanceledException)) throw error;
    const reasons = (error.CancellationReasons ?? []).map((r) => r.Code);
    if (reasons[0] === 'ConditionalCheckFailed') return 'moved';
    if (reasons.includes('TransactionConflict')) return 'conflict';
    // The payment was still in its status but its ledger entry exists: never true unless the
    // table was edited by hand. Refuse loudly rather than guess.
    throw error;
  }
}

export interface BankTransactionItem {
  pk: string;
  sk: string;
  entity: 'bankTransaction';
  bank: string;
  transactionId: string;
  account: string;
  amount: number;
  paymentId: string;
  via: BankVia;
  paidAt: string;
  createdAt: string;
  /** The meter readings that came with the payment have been taken (or refused) once. */
  readingsProcessed: boolean;
}

export async function getBankTransaction(
  bank: string,
  transactionId: string,
): Promise<BankTransactionItem | undefined> {
  const out = await db().send(
    new GetCommand({ TableName: tableName(), Key: keys.bankTransaction(bank, transactionId), ConsistentRead: true }),
  );
  return out.Item as BankTransactionItem | undefined;
}

/**
 * A bank's payment: the transaction guard, the payment (succeeded at once: the bank has the
 * money) and its ledger entry, all or nothing. False when the bank's transaction id was already
 * received: nothing is written.
 */
export async function writeBankPayment(
  guard: BankTransactionItem,
  payment: PaymentItem,
  credit: { allocation: LedgerLine[]; period: string },
): Promise<boolean> {
  try {
    await db().send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: tableName(), Item: guard, ConditionExpression: 'attribute_not_exists(pk)' } },
          { Put: { TableName: tableName(), Item: payment, ConditionExpression: 'attribute_not_exists(pk)' } },
          {
            Put: {
              TableName: tableName(),
              Item: paymentEntry({
                account: payment.account,
                paymentId: payment.id,
                period: credit.period,
                allocation: credit.allocation,
                paidAt: payment.paidAt ?? payment.createdAt,
                source: PAYMENT_SOURCE.bank,
              }),
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        ],
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof TransactionCanceledException) {
      const reasons = (error.CancellationReasons ?? []).map((r) => r.Code);
      if (reasons[0] === 'ConditionalCheckFailed') return false;
    }
    throw error;
  }
}

/** Marks a bank transaction's readings as taken; false when another process took them first. */
export async function claimBankReadings(bank: string, transactionId: string): Promise<boolean> {
  try {
    await db().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.bankTransaction(bank, transactionId),
        UpdateExpression: 'SET readingsProcessed = :yes',
        ConditionExpression: 'attribute_exists(pk) AND readingsProcessed = :no',
        ExpressionAttributeValues: { ':yes': true, ':no': false },
      }),
    );
    return true;
  } catch (error) {
    if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return false;
    throw error;
  }
}

/** Gives a transaction's readings back for a retry, after a failure that was not theirs. */
export async function releaseBankReadings(bank: string, transactionId: string): Promise<void> {
  await db().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: keys.bankTransaction(bank, transactionId),
      UpdateExpression: 'SET readingsProcessed = :no',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':no': false },
    }),
  );
}
