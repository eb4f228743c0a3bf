import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { CENTRE } from '#shared/centre';
import { db, tableName } from '#shared/clients/dynamo';
import { type Mail, sendMail, surelyNotSent } from '#shared/clients/mail';
import { config } from '#shared/config';
import { escapeHtml, formatRoubles } from '#shared/format';
import { keys } from '#shared/keys';
import { logger } from '#shared/logger';
import { getPayment, type PaymentItem } from '#shared/payments/store';
import { GSI1 } from '#shared/tables';
import { moscowDateTimeText, now } from '#shared/time';

/**
 * The receipt of a guest payment (shared/payments/guest.ts), mailed once to the address the payer
 * gave, after the acquirer confirmed the money. The claim is an attribute of the payment item set
 * under a condition before the mail goes out, so the callback, its repeats and the reconciliation
 * job, in any order or at once, mail it once. Once mailed, the address is removed from the item:
 * it is kept no longer than its one use needs. A send SES surely refused puts the payment in the
 * receipts-due index (keys.receiptDue), which the reconciliation job reads on its next pass: by
 * then the payment is settled and no longer among the open ones the job looks at.
 */

/**
 * Sends of one receipt before it is given up: with the job every 10 minutes, about an hour of SES
 * refusing it (an address SES will not take stays refused; the address is not kept forever).
 */
export const RECEIPT_TRIES = 6;
/** A claim this old was never released nor followed by a sent mail: its sender stopped. */
const STALE_CLAIM_MS = 60 * 60_000;

const isConditionFailure = (error: unknown) => (error as { name?: string }).name === 'ConditionalCheckFailedException';

/** Takes the receipt's claim; the payment as it now stands, or undefined when there is nothing to mail. */
async function claimReceipt(payment: PaymentItem): Promise<PaymentItem | undefined> {
  try {
    const out = await db().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.payment(payment.account, payment.id),
        UpdateExpression: 'SET receiptClaimedAt = :at',
        ConditionExpression:
          'attribute_exists(receiptEmail) AND attribute_not_exists(receiptClaimedAt) AND #status = :succeeded',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':at': now().toISOString(), ':succeeded': 'succeeded' },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return out.Attributes as PaymentItem;
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
}

/**
 * Gives the claim back after a send SES surely refused, counts the try and puts the payment in the
 * receipts-due index, in one write: a repeated callback or the reconciliation job's next pass mails
 * it. After RECEIPT_TRIES the receipt is given up and the address forgotten.
 */
async function releaseReceipt(payment: PaymentItem): Promise<void> {
  const at = now().toISOString();
  const due = keys.receiptDue(payment.id, at);
  const out = await db().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: keys.payment(payment.account, payment.id),
      UpdateExpression:
        'REMOVE receiptClaimedAt SET receiptTries = if_not_exists(receiptTries, :zero) + :one, gsi1pk = :pk, gsi1sk = :sk',
      ConditionExpression: 'attribute_exists(receiptClaimedAt)',
      ExpressionAttributeValues: { ':zero': 0, ':one': 1, ':pk': due.gsi1pk, ':sk': due.gsi1sk },
      ReturnValues: 'ALL_NEW',
    }),
  );
  if (Number(out.Attributes?.receiptTries) < RECEIPT_TRIES) return;
  logger.warn('Guest payment receipt given up: SES refused every try', { tries: RECEIPT_TRIES });
  // Not when a repeated callback has claimed it again meanwhile: that one decides.
  await giveUpReceipt(payment, 'attribute_not_exists(receiptClaimedAt)', {});
}

/** No more tries: the address is forgotten and the payment leaves the receipts-due index. */
async function giveUpReceipt(payment: PaymentItem, condition: string, values: Record<string, unknown>): Promise<void> {
  await db()
    .send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.payment(payment.account, payment.id),
        UpdateExpression: 'SET receiptGivenUpAt = :at REMOVE receiptEmail, gsi1pk, gsi1sk',
        ConditionExpression: condition,
        ExpressionAttributeValues: { ':at': now().toISOString(), ...values },
      }),
    )
    .catch((error: unknown) => {
      if (!isConditionFailure(error)) throw error;
    });
}

/**
 * The receipt went to SES: the address is no longer needed, nor the place in the receipts-due
 * index. A succeeded payment is in no other index (only refunded follows, and it leaves gsi1 too),
 * so removing gsi1 here cannot take it out of the open or review ones.
 */
async function forgetReceiptAddress(payment: PaymentItem): Promise<void> {
  const due = payment.gsi1pk === keys.receiptsDue;
  await db().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: keys.payment(payment.account, payment.id),
      UpdateExpression: `SET receiptMailedAt = :at REMOVE receiptEmail${due ? ', gsi1pk, gsi1sk' : ''}`,
      ExpressionAttributeValues: { ':at': now().toISOString() },
    }),
  );
}

/** Takes a payment out of the receipts-due index when there is nothing (more) to mail. */
async function leaveReceiptsDue(payment: PaymentItem): Promise<void> {
  await db()
    .send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.payment(payment.account, payment.id),
        UpdateExpression: 'REMOVE gsi1pk, gsi1sk',
        ConditionExpression: 'gsi1pk = :due',
        ExpressionAttributeValues: { ':due': keys.receiptsDue },
      }),
    )
    .catch((error: unknown) => {
      if (!isConditionFailure(error)) throw error;
    });
}

/**
 * The receipt: who paid (masked, as the payer confirmed it), for which account, how much, when,
 * and to whom, with the payee's requisites — what a payer shows when asked whether they paid.
 * Nothing else of the account: no full name, no address, no balance.
 */
export function guestReceiptMail(to: string, payment: PaymentItem): Mail {
  const paidAt = payment.paidAt ?? payment.updatedAt;
  const { payee } = CENTRE;
  const rows: Array<[string, string]> = [
    ['Плательщик', payment.payer ?? ''],
    ['Лицевой счёт', payment.account],
    ['Сумма', formatRoubles(payment.amount)],
    ['Дата и время оплаты', moscowDateTimeText(paidAt)],
    ['Номер платежа', payment.id],
    ...(payment.orderId ? ([['Номер заказа в банке', payment.orderId]] as Array<[string, string]>) : []),
    ['Назначение', `Оплата ЖКУ, лицевой счёт ${payment.account}`],
    ['Получатель', payee.name],
    ['ИНН / КПП', `${payee.inn} / ${payee.kpp}`],
    ['Расчётный счёт', payee.settlementAccount],
    ['Банк получателя', payee.bankName],
    ['БИК', payee.bic],
    ['Корр. счёт', payee.correspondentAccount],
  ];
  const intro = 'Платёж за жилищно-коммунальные услуги принят банком и зачислен на лицевой счёт.';
  const footer = `${CENTRE.shortName}, ${CENTRE.phone.display}`;
  const resultUrl = `${config().publicUrl}/pay/result?id=${encodeURIComponent(payment.id)}`;
  const note =
    'Вы получили это письмо, потому что указали этот адрес при оплате без входа в личный кабинет. ' +
    `Состояние платежа: ${resultUrl}`;
  return {
    to,
    subject: `Квитанция об оплате: лицевой счёт ${payment.account}, ${formatRoubles(payment.amount)}`,
    text: [
      'Здравствуйте!',
      '',
      intro,
      '',
      ...rows.map(([name, value]) => `${name}: ${value}`),
      '',
      note,
      '',
      footer,
    ].join('\n'),
    html:
      `<p>Здравствуйте!</p><p>${escapeHtml(intro)}</p><table>` +
      rows
        .map(([name, value]) => `<tr><th align="left">${escapeHtml(name)}</th><td>${escapeHtml(value)}</td></tr>`)
        .join('') +
      `</table><p style="color:#555">${escapeHtml(note)}</p><p style="color:#555">${escapeHtml(footer)}</p>`,
  };
}

/**
 * Mails a succeeded guest payment's receipt once, when the payer gave an address; anything else
 * (the resident's own payment, no address, not paid, already mailed) is left alone without a
 * request. A send SES surely refused gives the claim back and throws, so the caller's retry (the
 * bank repeats a callback that was not answered 200) mails it; a send whose answer was lost keeps
 * the claim: the mail may have gone out, and a second one would be a second receipt.
 */
export async function mailGuestReceipt(payment: PaymentItem): Promise<boolean> {
  if (!payment.payer || !payment.receiptEmail || payment.status !== 'succeeded') return false;
  const claimed = await claimReceipt(payment);
  if (!claimed?.receiptEmail) return false;
  try {
    await sendMail(guestReceiptMail(claimed.receiptEmail, claimed));
  } catch (error) {
    if (surelyNotSent(error)) {
      await releaseReceipt(claimed);
      throw error;
    }
    logger.warn('Guest payment receipt: the mail service did not answer', { error: (error as Error).name });
  }
  await forgetReceiptAddress(claimed);
  return true;
}

export interface ReceiptRetries {
  /** Receipts found due and tried again. */
  tried: number;
  /** Mailed this time (handed to SES). */
  mailed: number;
  /** Refused by SES again: due for the next pass (or given up after RECEIPT_TRIES). */
  failed: number;
}

/**
 * The reconciliation job's pass over the receipts SES refused before `before` (the run's start, so
 * a receipt refused in this same run waits for the next one): each is mailed by mailGuestReceipt,
 * whose claim keeps a concurrent callback's repeat from sending it a second time. A payment that
 * has nothing to mail any more (mailed by a callback meanwhile, refunded) just leaves the index.
 */
export async function retryDueReceipts(before: string, limit: number): Promise<ReceiptRetries> {
  const out = await db().send(
    new QueryCommand({
      TableName: tableName(),
      IndexName: GSI1,
      KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk < :before',
      ExpressionAttributeValues: { ':pk': keys.receiptsDue, ':before': before },
      Limit: limit,
    }),
  );
  const retries: ReceiptRetries = { tried: 0, mailed: 0, failed: 0 };
  for (const item of (out.Items ?? []) as PaymentItem[]) {
    // The index is eventually consistent: decide on the item itself.
    const payment = await getPayment(item.account, item.id, true);
    if (!payment) continue;
    if (!payment.receiptEmail || payment.status !== 'succeeded') {
      await leaveReceiptsDue(payment);
      continue;
    }
    if (payment.receiptClaimedAt) {
      // A send in flight (its release or its forgetting follows), or, once old, one that never said
      // how it ended (the function stopped between the claim and SES's answer): as a lost answer,
      // better one receipt missed than two.
      if (now().getTime() - Date.parse(payment.receiptClaimedAt) > STALE_CLAIM_MS) {
        await giveUpReceipt(payment, 'receiptClaimedAt = :claimed', { ':claimed': payment.receiptClaimedAt });
      }
      continue;
    }
    retries.tried++;
    try {
      if (await mailGuestReceipt(payment)) retries.mailed++;
    } catch (error) {
      retries.failed++;
      logger.warn('Guest payment receipt not mailed again', { error: (error as Error).name });
    }
  }
  return retries;
}
