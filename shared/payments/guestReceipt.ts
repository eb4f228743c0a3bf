import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { CENTRE } from '#shared/centre';
import { db, tableName } from '#shared/clients/dynamo';
import { type Mail, sendMail, surelyNotSent } from '#shared/clients/mail';
import { config } from '#shared/config';
import { escapeHtml, formatRoubles } from '#shared/format';
import { keys } from '#shared/keys';
import { logger } from '#shared/logger';
import type { PaymentItem } from '#shared/payments/store';
import { moscowDateTimeText, now } from '#shared/time';

/**
 * The receipt of a guest payment (shared/payments/guest.ts), mailed once to the address the payer
 * gave, after the acquirer confirmed the money. The claim is an attribute of the payment item set
 * under a condition before the mail goes out, so the callback, its repeats and the reconciliation
 * job, in any order or at once, mail it once. Once mailed, the address is removed from the item:
 * it is kept no longer than its one use needs.
 */

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

/** Gives the claim back after a send SES surely refused, so a repeated callback mails it. */
async function releaseReceipt(payment: PaymentItem): Promise<void> {
  await db().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: keys.payment(payment.account, payment.id),
      UpdateExpression: 'REMOVE receiptClaimedAt',
      ConditionExpression: 'attribute_exists(receiptClaimedAt)',
    }),
  );
}

async function forgetReceiptAddress(payment: PaymentItem): Promise<void> {
  await db().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: keys.payment(payment.account, payment.id),
      UpdateExpression: 'SET receiptMailedAt = :at REMOVE receiptEmail',
      ExpressionAttributeValues: { ':at': now().toISOString() },
    }),
  );
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
export async function mailGuestReceipt(payment: PaymentItem): Promise<void> {
  if (!payment.payer || !payment.receiptEmail || payment.status !== 'succeeded') return;
  const claimed = await claimReceipt(payment);
  if (!claimed?.receiptEmail) return;
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
}
