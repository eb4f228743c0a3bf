import { randomBytes } from 'node:crypto';
import { isAccountNumber } from '#shared/format';
import { MAX_PAYMENT_KOPECKS } from '#shared/payments/limits';
import { isServiceId, type ServiceId } from '#shared/registry/services';
import { now, PERIOD_RE, periodOf } from '#shared/time';

/**
 * The payment model as pure functions: statuses and the transitions between them, what the
 * acquirer's order status means for a payment, ids, and the validation of what a resident asks to
 * pay. Nothing here reads the clock, the database or the configuration.
 */

/**
 * created → pending → succeeded | failed | expired; succeeded → refunded. `review` holds money an
 * operator must look at: a paid amount that differs from the order's, or money confirmed for an
 * order already closed as failed or expired. Nothing ever returns to an earlier status.
 */
export const PAYMENT_STATUSES = ['created', 'pending', 'succeeded', 'failed', 'expired', 'refunded', 'review'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

const TRANSITIONS: Record<PaymentStatus, readonly PaymentStatus[]> = {
  created: ['pending', 'succeeded', 'failed', 'expired', 'review'],
  pending: ['succeeded', 'failed', 'expired', 'review'],
  succeeded: ['refunded'],
  failed: ['review'],
  expired: ['review'],
  refunded: [],
  review: [],
};

export function canTransition(from: PaymentStatus, to: PaymentStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Not settled yet: the reconciliation job looks after these. */
export function isOpen(status: PaymentStatus): boolean {
  return status === 'created' || status === 'pending';
}

/** The three statuses of the contract (`GET /api/payments/{id}`); `state` carries the exact one. */
export type PublicStatus = 'pending' | 'succeeded' | 'failed';

export function publicStatus(status: PaymentStatus): PublicStatus {
  switch (status) {
    case 'succeeded':
      return 'succeeded';
    case 'failed':
    case 'expired':
    case 'refunded':
      return 'failed';
    default:
      return 'pending';
  }
}

export const STATUS_TEXT: Record<PaymentStatus, string> = {
  created: 'Ожидает оплаты',
  pending: 'Ожидает оплаты',
  succeeded: 'Оплачено',
  failed: 'Оплата не прошла',
  expired: 'Время на оплату истекло',
  refunded: 'Деньги возвращены',
  review: 'Платёж проверяется',
};

export type PaymentChannel = 'card' | 'bank';

export const CHANNEL_TEXT: Record<PaymentChannel, string> = {
  card: 'Банковская карта на сайте',
  bank: 'Через банк по номеру лицевого счёта',
};

export { MAX_PAYMENT_KOPECKS } from '#shared/payments/limits';

/**
 * The acquirer's payment page lives this long (register.do `sessionTimeoutSecs`); an order still
 * unpaid after it and a grace period is closed as expired.
 */
export const ORDER_SESSION_SECONDS = 20 * 60;
export const EXPIRE_AFTER_MS = (ORDER_SESSION_SECONDS + 10 * 60) * 1000;

/** A payment is asked about when it has waited this long for its callback. */
export const PENDING_TOO_LONG_MS = 20 * 60 * 1000;

/**
 * `<account>-<time base36><random>`: the account (so a callback's orderNumber leads straight to
 * the payment's key), the time (so an account's payments sort by time), 40 random bits. At most
 * 32 characters, [0-9a-z-], as the acquirer's orderNumber allows.
 */
export function newPaymentId(account: string, at: Date): string {
  return `${account}-${at.getTime().toString(36).padStart(9, '0')}${randomBytes(5).toString('hex')}`;
}

/** `<account>-<19 characters of time and randomness>` (newPaymentId). */
const PAYMENT_ID = /^([^-]+)-[0-9a-z]{19}$/;

/** The account a payment id belongs to, or undefined when it is not a payment id at all. */
export function accountOfPaymentId(id: string): string | undefined {
  const account = PAYMENT_ID.exec(id)?.[1];
  return account !== undefined && isAccountNumber(account) ? account : undefined;
}

export interface ServiceShare {
  service: ServiceId;
  amount: number;
}

const amountMessage = 'Укажите сумму от 0,01 до 500 000,00 ₽ (целое число копеек).';

function validKopecks(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 && value <= MAX_PAYMENT_KOPECKS;
}

/**
 * What a resident asks to pay: `amount` in kopecks, optionally split by service (each share a
 * positive number of kopecks, services not repeated, shares adding up to the amount). Returns the
 * request, or the fields at fault with Russian messages.
 */
export function validatePaymentRequest(
  body: unknown,
  currentPeriod: string = periodOf(now()),
):
  | { ok: true; amount: number; services?: ServiceShare[]; period?: string }
  | { ok: false; fields: Record<string, string>; code?: 'invalid_period' } {
  const input = (body ?? {}) as { amount?: unknown; services?: unknown; period?: unknown };
  if (!validKopecks(input.amount)) return { ok: false, fields: { amount: amountMessage } };
  // "Pay this bill": the bill's month, which the payment pays first (shared/billing/allocation.ts).
  let period: string | undefined;
  if (input.period !== undefined && input.period !== null) {
    if (typeof input.period !== 'string' || !PERIOD_RE.test(input.period) || input.period > currentPeriod) {
      return {
        ok: false,
        code: 'invalid_period',
        fields: { period: 'Месяц квитанции — ГГГГ-ММ, не позже текущего, например 2026-10.' },
      };
    }
    period = input.period;
  }
  const named = period ? { period } : {};
  if (input.services === undefined || input.services === null) return { ok: true, amount: input.amount, ...named };
  if (!Array.isArray(input.services) || input.services.length === 0 || input.services.length > 20) {
    return { ok: false, fields: { services: 'Разбивка по услугам — список из 1–20 услуг с суммами.' } };
  }
  const fields: Record<string, string> = {};
  const seen = new Set<string>();
  const shares: ServiceShare[] = [];
  input.services.forEach((raw: unknown, i) => {
    const share = (raw ?? {}) as { service?: unknown; amount?: unknown };
    if (typeof share.service !== 'string' || !isServiceId(share.service)) {
      fields[`services.${i}.service`] = 'Неизвестная услуга.';
    } else if (seen.has(share.service)) {
      fields[`services.${i}.service`] = 'Услуга указана дважды.';
    } else if (!validKopecks(share.amount)) {
      fields[`services.${i}.amount`] = 'Сумма по услуге — целое число копеек больше нуля.';
    } else {
      seen.add(share.service);
      shares.push({ service: share.service, amount: share.amount });
    }
  });
  if (Object.keys(fields).length > 0) return { ok: false, fields };
  const total = shares.reduce((sum, s) => sum + s.amount, 0);
  if (total !== input.amount) {
    return { ok: false, fields: { services: 'Сумма по услугам должна совпадать с суммой платежа.' } };
  }
  return {
    ok: true,
    amount: input.amount,
    services: shares.sort((a, b) => a.service.localeCompare(b.service)),
    ...named,
  };
}

/** The acquirer's order as far as a payment's status depends on it (getOrderStatusExtended.do). */
export type GatewayOrder =
  | { found: false }
  | {
      found: true;
      orderNumber: string;
      /** The gateway's order id (mdOrder), when its answer names it. */
      orderId?: string;
      /** 0 registered, 1 held, 2 paid, 3 reversed, 4 refunded, 5 ACS in progress, 6 declined. */
      orderStatus: number;
      /** The order's amount, kopecks. */
      amount: number;
      /** What was actually deposited (paid), kopecks, when the gateway says. */
      depositedAmount?: number;
      refundedAmount?: number;
      actionCode?: number;
      /** When the card payment was authorised, ISO. */
      paidAt?: string;
    };

/** The gateway's actionCode for "the payer did not finish in time". */
export const ACTION_SESSION_EXPIRED = -2007;

export type Ledger = 'credit' | 'refund' | 'none';

export type Decision =
  | { kind: 'none'; reason: string }
  /** The gateway's order is not this payment's: refuse, move nothing. */
  | { kind: 'mismatch'; reason: string }
  | {
      kind: 'transition';
      to: PaymentStatus;
      ledger: Ledger;
      reason?: string;
      paidAt?: string;
      /** Kopecks the gateway actually took, when it differs (review). */
      paidAmount?: number;
      refundedAmount?: number;
    };

export interface PaymentFacts {
  id: string;
  status: PaymentStatus;
  amount: number;
  createdAt: string;
}

/**
 * What the acquirer's order means for a payment: the target status and the ledger effect, or
 * nothing. The gateway's word decides, never the callback's own parameters: a callback only says
 * "ask now". The result is then checked against the allowed transitions, so a late or repeated
 * answer can never take a payment back.
 */
export function decide(payment: PaymentFacts, order: GatewayOrder, at: Date): Decision {
  const age = at.getTime() - Date.parse(payment.createdAt);
  const target = (): Decision => {
    if (!order.found) {
      return isOpen(payment.status) && age > EXPIRE_AFTER_MS
        ? { kind: 'transition', to: 'expired', ledger: 'none', reason: 'order_not_found' }
        : { kind: 'none', reason: 'order not found' };
    }
    if (order.orderNumber !== payment.id) return { kind: 'mismatch', reason: 'orderNumber differs' };
    switch (order.orderStatus) {
      case 2: {
        const paid = order.depositedAmount ?? order.amount;
        const paidAt = order.paidAt ? { paidAt: order.paidAt } : {};
        if (payment.status === 'failed' || payment.status === 'expired') {
          return { kind: 'transition', to: 'review', ledger: 'none', reason: 'paid_after_close', paidAmount: paid };
        }
        if (paid !== payment.amount || order.amount !== payment.amount) {
          return { kind: 'transition', to: 'review', ledger: 'none', reason: 'amount_mismatch', paidAmount: paid };
        }
        return { kind: 'transition', to: 'succeeded', ledger: 'credit', ...paidAt };
      }
      case 3:
      case 4:
        if (payment.status === 'succeeded') {
          return {
            kind: 'transition',
            to: 'refunded',
            ledger: 'refund',
            refundedAmount: Math.min(order.refundedAmount || payment.amount, payment.amount),
          };
        }
        return { kind: 'transition', to: 'failed', ledger: 'none', reason: 'reversed' };
      case 6:
        return order.actionCode === ACTION_SESSION_EXPIRED
          ? { kind: 'transition', to: 'expired', ledger: 'none', reason: 'session_expired' }
          : { kind: 'transition', to: 'failed', ledger: 'none', reason: 'declined' };
      case 0:
        return age > EXPIRE_AFTER_MS
          ? { kind: 'transition', to: 'expired', ledger: 'none', reason: 'not_paid_in_time' }
          : { kind: 'none', reason: 'not paid yet' };
      default:
        // 1 (held: we register one-stage payments, so a hold is on its way to 2) and 5 (3-D Secure).
        return { kind: 'none', reason: `order status ${order.orderStatus}` };
    }
  };
  const decision = target();
  if (decision.kind !== 'transition') return decision;
  if (decision.to === payment.status) return { kind: 'none', reason: `already ${payment.status}` };
  if (!canTransition(payment.status, decision.to)) {
    return { kind: 'none', reason: `${payment.status} → ${decision.to} is not allowed` };
  }
  return decision;
}
