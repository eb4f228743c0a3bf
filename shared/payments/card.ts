import { byServiceTotals } from '#shared/billing/allocation';
import { serviceTitle } from '#shared/billing/views';
import { CENTRE } from '#shared/centre';
import { config } from '#shared/config';
import { DomainError } from '#shared/errors';
import { keys } from '#shared/keys';
import { logger } from '#shared/logger';
import { countMetric, METRIC } from '#shared/metrics';
import { mailGuestReceipt } from '#shared/payments/guestReceipt';
import {
  accountOfPaymentId,
  CHANNEL_TEXT,
  newPaymentId,
  ORDER_SESSION_SECONDS,
  publicStatus,
  type ServiceShare,
  STATUS_TEXT,
  validatePaymentRequest,
} from '#shared/payments/model';
import {
  AcquirerError,
  callbackKeys,
  callbackParams,
  registerOrder,
  verifyCallbackChecksum,
} from '#shared/payments/sber';
import { paymentRef, settleWithGateway } from '#shared/payments/settlement';
import {
  getPayment,
  getPaymentAndPayer,
  markRegistered,
  type PaymentItem,
  paymentsOf,
  putNewPayment,
  writeTransition,
} from '#shared/payments/store';
import { now } from '#shared/time';

/** The resident's card payments and the acquirer's callback: the use cases behind the routes. */

export const BANK_TITLES: Record<string, string> = { sberbank: 'ПАО Сбербанк' };

export function paymentView(item: PaymentItem) {
  return {
    id: item.id,
    amount: item.amount,
    status: publicStatus(item.status),
    state: item.status,
    statusText: STATUS_TEXT[item.status],
    channel: item.channel,
    channelText: item.bank
      ? `${CHANNEL_TEXT[item.channel]} (${BANK_TITLES[item.bank] ?? item.bank})`
      : item.payer
        ? `${CHANNEL_TEXT[item.channel]}, без входа в личный кабинет`
        : CHANNEL_TEXT[item.channel],
    createdAt: item.createdAt,
    paidAt: item.paidAt ?? null,
    // By service: a payment may pay one service on several bills (shared/billing/allocation.ts).
    services: byServiceTotals(item.allocation ?? item.services ?? []).map((s) => ({
      service: s.service,
      title: serviceTitle(s.service),
      amount: s.amount,
    })),
    // The bank's page, while the resident may still pay there.
    paymentUrl: item.status === 'pending' ? (item.paymentUrl ?? null) : null,
  };
}

export type PaymentView = ReturnType<typeof paymentView>;

/** A new card payment of `account`, `created` and indexed as open, not yet stored. */
export function newCardPayment(
  account: string,
  request: { amount: number; services?: ServiceShare[] | undefined; period?: string | undefined },
  extra: Pick<PaymentItem, 'payer' | 'receiptEmail'> = {},
): PaymentItem {
  const at = now();
  const createdAt = at.toISOString();
  const id = newPaymentId(account, at);
  return {
    ...keys.payment(account, id),
    entity: 'payment',
    id,
    account,
    amount: request.amount,
    status: 'created',
    channel: 'card',
    ...(request.services ? { services: request.services } : {}),
    ...(request.period ? { period: request.period } : {}),
    ...extra,
    createdAt,
    updatedAt: createdAt,
    history: [{ status: 'created', at: createdAt }],
    // Indexed from the start: a payment whose register.do answer was lost is still found and closed.
    ...keys.openPayment(id, createdAt),
  };
}

/**
 * Stores a new card payment and registers its order with the acquirer, whose page sends the payer
 * back to `returnPath?id=…`; returns the page's address. The resident's payments and guest
 * payments (shared/payments/guest.ts) both start here.
 */
export async function openCardOrder(payment: PaymentItem, returnPath: string): Promise<string> {
  const { id, account } = payment;
  await putNewPayment(payment);
  const returnUrl = `${config().publicUrl}${returnPath}?id=${encodeURIComponent(id)}`;
  let order: { orderId: string; formUrl: string };
  try {
    order = await registerOrder({
      orderNumber: id,
      amount: payment.amount,
      returnUrl,
      failUrl: returnUrl,
      description: `Оплата ЖКУ, лицевой счёт ${account}`,
      sessionTimeoutSecs: ORDER_SESSION_SECONDS,
    });
  } catch (error) {
    if (!(error instanceof AcquirerError)) throw error;
    logger.warn('Order not registered', { ref: paymentRef(id), kind: error.kind, error: error.message });
    if (error.kind === 'refused') {
      await writeTransition(payment, { to: 'failed', at: now().toISOString(), reason: 'register_refused' });
      throw DomainError.of('acquirer_refused');
    }
    // No answer: the order may exist at the bank. The payment stays `created` and the
    // reconciliation job asks about it by its number.
    throw DomainError.of('acquirer_unavailable');
  }
  await markRegistered(payment, order.orderId, order.formUrl, now().toISOString());
  return order.formUrl;
}

/** POST /api/payments: registers the order with the acquirer; the resident pays on its page. */
export async function startCardPayment(account: string, body: unknown) {
  const request = validatePaymentRequest(body);
  if (!request.ok) throw DomainError.of(request.code ?? 'invalid_amount', { fields: request.fields });
  const payment = newCardPayment(account, request);
  const paymentUrl = await openCardOrder(payment, '/payments/return');
  return { id: payment.id, status: 'pending' as const, paymentUrl, amount: request.amount };
}

async function ownPayment(account: string, id: string): Promise<PaymentItem> {
  // Another account's id is simply not under this account's key: 404, like an id that never was.
  if (accountOfPaymentId(id) !== account) throw DomainError.of('not_found', { subject: 'payment' });
  const payment = await getPayment(account, id);
  if (!payment) throw DomainError.of('not_found', { subject: 'payment' });
  return payment;
}

export async function paymentOf(account: string, id: string) {
  return paymentView(await ownPayment(account, id));
}

export const HISTORY_LIMIT = 100;

/**
 * Anyone may start a guest payment of any account (shared/payments/guest.ts): the resident's
 * history shows those that brought money, not the orders a stranger opened and left unpaid.
 */
const shownInHistory = (item: PaymentItem) => !item.payer || !['created', 'failed', 'expired'].includes(item.status);

export async function paymentHistory(account: string) {
  return { items: (await paymentsOf(account, HISTORY_LIMIT)).filter(shownInHistory).map(paymentView) };
}

/**
 * The bills a payment went to: the periods its ledger lines name (allocation.ts), or the one the
 * payer named; none when all of it is an advance.
 */
function paidPeriods(payment: PaymentItem): string[] {
  const named = (payment.allocation ?? []).flatMap((line) => (line.forPeriod ? [line.forPeriod] : []));
  const periods = named.length > 0 ? named : payment.period ? [payment.period] : [];
  return [...new Set(periods)].sort();
}

/** The payment confirmation a resident prints: who paid whom, how much, for what, when. */
export async function receiptOf(account: string, id: string) {
  if (accountOfPaymentId(id) !== account) throw DomainError.of('not_found', { subject: 'payment' });
  // The payment and the payer's name and address in one request.
  const { payment, payer: profile } = await getPaymentAndPayer(account, id);
  if (!payment) throw DomainError.of('not_found', { subject: 'payment' });
  if (payment.status !== 'succeeded' || !payment.paidAt) throw DomainError.of('no_receipt');
  return {
    id: payment.id,
    amount: payment.amount,
    paidAt: payment.paidAt,
    channel: payment.channel,
    channelText: paymentView(payment).channelText,
    services: paymentView(payment).services,
    // The requisites the money went to (the ЕПД's payee), as a bank's receipt names them.
    payee: {
      name: CENTRE.payee.name,
      address: CENTRE.address,
      inn: CENTRE.payee.inn,
      kpp: CENTRE.payee.kpp,
      bankName: CENTRE.payee.bankName,
      bic: CENTRE.payee.bic,
      correspondentAccount: CENTRE.payee.correspondentAccount,
      settlementAccount: CENTRE.payee.settlementAccount,
    },
    payer: { account, owner: profile?.owner ?? '', address: profile?.address ?? '' },
    periods: paidPeriods(payment),
    // The bank's reference: the acquirer's order id, or the bank's own transaction id.
    reference: payment.orderId ?? payment.bankTransactionId ?? null,
  };
}

/**
 * The acquirer's callback. Read raw (body or query), the checksum checked before anything else,
 * then the order's status asked from the gateway: the callback says "look now", the gateway says
 * what happened. Refused callbacks move nothing.
 */
export async function handleSberCallback(rawBody: string, rawQuery: string) {
  const params = callbackParams(rawBody, rawQuery);
  if (!params || !verifyCallbackChecksum(params, await callbackKeys())) {
    countMetric(METRIC.forgedCallback);
    logger.warn('Acquirer callback refused: bad checksum', { signed: Boolean(params?.checksum) });
    throw DomainError.of('invalid_signature');
  }
  const { mdOrder, orderNumber } = params;
  if (!mdOrder || !orderNumber) throw DomainError.of('invalid_callback');
  const account = accountOfPaymentId(orderNumber);
  const payment = account ? await getPayment(account, orderNumber, true) : undefined;
  if (payment?.channel !== 'card') {
    logger.warn('Acquirer callback for an unknown order');
    throw DomainError.of('not_found', { subject: 'payment' });
  }
  if (payment.orderId && payment.orderId !== mdOrder) {
    countMetric(METRIC.callbackMismatch);
    logger.error('Acquirer callback names another order', { ref: paymentRef(payment.id) });
    throw DomainError.of('order_mismatch');
  }
  const settled = await settleWithGateway(payment, mdOrder);
  // A receipt that surely did not go out fails the callback: the bank's repeat mails it.
  await mailGuestReceipt(settled);
  return { status: publicStatus(settled.status) };
}
