import { describe, expect, it } from 'vitest';
import {
  accountOfPaymentId,
  decide,
  EXPIRE_AFTER_MS,
  type GatewayOrder,
  isOpen,
  PAYMENT_STATUSES,
  type PaymentFacts,
  type PaymentStatus,
  validatePaymentRequest,
} from '#shared/payments/model';

/**
 * The edges of the payment model that the reconciliation job, the ledger write and a resident's
 * form rely on: the whole decision (its ledger effect, not just the status), both sides of the
 * expiry limit, partial refunds, and what a JSON client may send.
 */

const at = new Date('2026-11-26T10:00:00Z');
const payment = (status: PaymentStatus, ageMs = 60_000): PaymentFacts => ({
  id: '100001-abc',
  status,
  amount: 10_000,
  createdAt: new Date(at.getTime() - ageMs).toISOString(),
});
type FoundOrder = Extract<GatewayOrder, { found: true }>;
const order = (orderStatus: number, extra: Partial<FoundOrder> = {}): FoundOrder => ({
  found: true,
  orderNumber: '100001-abc',
  orderStatus,
  amount: 10_000,
  ...extra,
});

describe('what the gateway’s answer does to a payment', () => {
  it('a paid order credits the ledger as of the moment the bank says it was paid', () => {
    expect(decide(payment('pending'), order(2, { paidAt: '2026-11-26T09:58:00Z' }), at)).toEqual({
      kind: 'transition',
      to: 'succeeded',
      ledger: 'credit',
      paidAt: '2026-11-26T09:58:00Z',
    });
  });

  it('every closing decision moves no money, with its reason', () => {
    const cases: Array<[PaymentStatus, GatewayOrder, PaymentStatus, string]> = [
      ['pending', order(3), 'failed', 'reversed'],
      ['pending', order(6, { actionCode: -2007 }), 'expired', 'session_expired'],
      ['pending', order(6, { actionCode: 2001 }), 'failed', 'declined'],
      ['pending', order(0), 'expired', 'not_paid_in_time'],
      ['pending', { found: false }, 'expired', 'order_not_found'],
    ];
    for (const [status, gatewayOrder, to, reason] of cases) {
      expect(decide(payment(status, EXPIRE_AFTER_MS + 1), gatewayOrder, at)).toEqual({
        kind: 'transition',
        to,
        ledger: 'none',
        reason,
      });
    }
  });

  it('money that does not match the order goes to review, and none to the ledger', () => {
    // The gateway took the right sum on an order registered for another one.
    expect(decide(payment('pending'), order(2, { amount: 20_000, depositedAmount: 10_000 }), at)).toEqual({
      kind: 'transition',
      to: 'review',
      ledger: 'none',
      reason: 'amount_mismatch',
      paidAmount: 10_000,
    });
    expect(decide(payment('expired'), order(2), at)).toEqual({
      kind: 'transition',
      to: 'review',
      ledger: 'none',
      reason: 'paid_after_close',
      paidAmount: 10_000,
    });
  });

  it('a partial refund takes back only what the bank returned', () => {
    expect(decide(payment('succeeded'), order(4, { refundedAmount: 4_000 }), at)).toEqual({
      kind: 'transition',
      to: 'refunded',
      ledger: 'refund',
      refundedAmount: 4_000,
    });
  });

  it('an order expires only after its limit: not at it', () => {
    for (const status of ['created', 'pending'] as const) {
      expect(decide(payment(status, EXPIRE_AFTER_MS), { found: false }, at)).toMatchObject({ kind: 'none' });
      expect(decide(payment(status, EXPIRE_AFTER_MS + 1), { found: false }, at)).toMatchObject({ to: 'expired' });
      expect(decide(payment(status, EXPIRE_AFTER_MS), order(0), at)).toMatchObject({ kind: 'none' });
    }
    // A settled payment the gateway has forgotten stays as it is.
    expect(decide(payment('succeeded', EXPIRE_AFTER_MS + 1), { found: false }, at)).toMatchObject({ kind: 'none' });
  });
});

describe("a callback's orderNumber", () => {
  it('leads to an account only when it starts with an account number', () => {
    expect(accountOfPaymentId(`100001-${'a'.repeat(19)}`)).toBe('100001');
    for (const id of [`ACC#1-${'a'.repeat(19)}`, `10001-${'a'.repeat(19)}`, `abcdef-${'a'.repeat(19)}`]) {
      expect(accountOfPaymentId(id)).toBeUndefined();
    }
  });
});

describe('open payments (the reconciliation job asks the gateway about these)', () => {
  it('are those created or pending, nothing else', () => {
    expect(PAYMENT_STATUSES.filter(isOpen)).toEqual(['created', 'pending']);
  });
});

describe('what a resident may ask to pay', () => {
  it('pays the current month’s bill; null means “no bill named”, “no split”', () => {
    expect(validatePaymentRequest({ amount: 100, period: '2026-11' }, '2026-11')).toEqual({
      ok: true,
      amount: 100,
      period: '2026-11',
    });
    expect(validatePaymentRequest({ amount: 100, period: null, services: null }, '2026-11')).toEqual({
      ok: true,
      amount: 100,
    });
  });

  it('refuses a service named twice, an empty split, or one that is not a list', () => {
    expect(
      validatePaymentRequest(
        {
          amount: 300,
          services: [
            { service: 'gas', amount: 100 },
            { service: 'gas', amount: 200 },
          ],
        },
        '2026-11',
      ),
    ).toEqual({ ok: false, fields: { 'services.1.service': 'Услуга указана дважды.' } });
    for (const services of [[], 'gas']) {
      expect(validatePaymentRequest({ amount: 300, services }, '2026-11')).toEqual({
        ok: false,
        fields: { services: 'Разбивка по услугам — список из 1–20 услуг с суммами.' },
      });
    }
  });

  it('refuses a bill’s month that is not a string, even one that reads as a month', () => {
    expect(validatePaymentRequest({ amount: 100, period: ['2026-10'] }, '2026-11')).toMatchObject({
      ok: false,
      code: 'invalid_period',
    });
  });

  it('takes a split of up to 20 lines, and refuses a longer one as a whole', () => {
    const lines = (n: number) => Array.from({ length: n }, () => ({ service: 'gas', amount: 1 }));
    const twenty = validatePaymentRequest({ amount: 20, services: lines(20) }, '2026-11');
    // Checked line by line: every repeat of gas is named.
    expect(twenty).toMatchObject({ ok: false, fields: { 'services.19.service': 'Услуга указана дважды.' } });
    expect(validatePaymentRequest({ amount: 21, services: lines(21) }, '2026-11')).toEqual({
      ok: false,
      fields: { services: 'Разбивка по услугам — список из 1–20 услуг с суммами.' },
    });
  });

  it('names the share at fault and the rule it breaks', () => {
    expect(
      validatePaymentRequest(
        {
          amount: 300,
          services: [
            { service: 42, amount: 100 },
            { service: 'gas', amount: 0 },
          ],
        },
        '2026-11',
      ),
    ).toEqual({
      ok: false,
      fields: {
        'services.0.service': 'Неизвестная услуга.',
        'services.1.amount': 'Сумма по услуге — целое число копеек больше нуля.',
      },
    });
    expect(validatePaymentRequest({ amount: 300, services: [{ service: 'gas', amount: 200 }] }, '2026-11')).toEqual({
      ok: false,
      fields: { services: 'Сумма по услугам должна совпадать с суммой платежа.' },
    });
  });
});
