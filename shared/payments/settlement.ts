import { setTimeout as sleep } from 'node:timers/promises';
import { allocatePaymentToLedger, refundParts } from '#shared/billing/allocation';
import { accountLedger } from '#shared/billing/store';
import { DomainError } from '#shared/errors';
import { logger } from '#shared/logger';
import { countMetric, METRIC } from '#shared/metrics';
import { type Decision, decide, type GatewayOrder } from '#shared/payments/model';
import { AcquirerError, orderStatus } from '#shared/payments/sber';
import { getPayment, type PaymentItem, type TransitionWrite, writeTransition } from '#shared/payments/store';
import { now, periodOf } from '#shared/time';

/**
 * Settling a card payment with the acquirer's word: the callback and the reconciliation job both
 * end here. The order's status is fetched from the gateway, the state machine decides, and the
 * change is written conditionally with its ledger entry; when another process got there first the
 * payment is re-read and the same order status judged again (which then says "nothing to do").
 */

const MAX_ATTEMPTS = 8;

/** A log reference to a payment that does not carry the account number. */
export const paymentRef = (id: string) => id.slice(id.indexOf('-') + 1);

async function fetchOrder(payment: PaymentItem, orderId: string | undefined): Promise<GatewayOrder> {
  const id = payment.orderId ?? orderId;
  try {
    return await orderStatus(id ? { orderId: id } : { orderNumber: payment.id });
  } catch (error) {
    if (error instanceof AcquirerError) {
      logger.warn('Acquirer did not answer the status request', { ref: paymentRef(payment.id), error: error.message });
      // 503: the bank retries its callback, the job its next run; nothing has moved.
      throw DomainError.of('acquirer_unavailable');
    }
    throw error;
  }
}

async function changeFor(
  payment: PaymentItem,
  decision: Extract<Decision, { kind: 'transition' }>,
  order: GatewayOrder,
  orderId: string | undefined,
): Promise<TransitionWrite> {
  const at = now().toISOString();
  const learnt = payment.orderId ? undefined : ((order.found ? order.orderId : undefined) ?? orderId);
  const change: TransitionWrite = {
    to: decision.to,
    at,
    reason: decision.reason,
    paidAmount: decision.paidAmount,
    refundedAmount: decision.refundedAmount,
    orderId: learnt,
  };
  if (decision.ledger === 'credit') {
    const paidAt = decision.paidAt ?? at;
    // Split as the resident asked, or over what the account owes right now: the bill the resident
    // paid ("pay this bill"), then the oldest debts, then an advance (shared/billing/allocation.ts).
    const allocation = payment.services?.length
      ? payment.services.map((s) => ({ service: s.service, amount: s.amount }))
      : allocatePaymentToLedger(payment.amount, await accountLedger(payment.account), payment.period);
    change.paidAt = paidAt;
    change.credit = { allocation, period: periodOf(new Date(paidAt)) };
  } else if (decision.ledger === 'refund') {
    // The money returned is taken back from the bills it had paid, so they are owed again.
    const refunded = decision.refundedAmount ?? payment.amount;
    change.refund = { lines: refundParts(refunded, payment.allocation ?? []), period: periodOf(new Date(at)) };
  }
  return change;
}

/**
 * Brings a card payment in line with the acquirer's order. Returns the payment as it now stands.
 * `orderId`: the mdOrder a signed callback named, for a payment that has not stored its own yet.
 */
export async function settleWithGateway(payment: PaymentItem, orderId?: string): Promise<PaymentItem> {
  const order = await fetchOrder(payment, orderId);
  let current = payment;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const decision = decide(current, order, now());
    if (decision.kind === 'mismatch') {
      countMetric(METRIC.callbackMismatch);
      logger.error('Acquirer order does not match the payment', { ref: paymentRef(current.id), why: decision.reason });
      throw DomainError.of('order_mismatch');
    }
    if (decision.kind === 'none') return current;
    const change = await changeFor(current, decision, order, orderId);
    const outcome = await writeTransition(current, change);
    if (outcome === 'applied') {
      logger.info('Payment status changed', {
        ref: paymentRef(current.id),
        from: current.status,
        to: change.to,
        ...(change.reason ? { reason: change.reason } : {}),
      });
      if (change.to === 'review') countMetric(METRIC.paymentReview);
      return { ...current, status: change.to };
    }
    if (outcome === 'conflict') await sleep(10 + Math.random() * 40 * (attempt + 1));
    const fresh = await getPayment(current.account, current.id, true);
    if (!fresh) throw new Error('A payment disappeared while being settled');
    current = fresh;
  }
  throw new Error('The payment kept changing while being settled');
}
