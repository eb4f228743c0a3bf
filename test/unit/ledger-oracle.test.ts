import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { advanceOffset, allocatePaymentToLedger, ledgerPosition, refundParts } from '#shared/billing/allocation';
import { ADVANCE, chargeEntry, type LedgerEntry, offsetEntry, paymentEntry, recalcEntry } from '#shared/billing/ledger';
import { balanceOfEntries, statementRows } from '#shared/billing/statement';
import { bankSignature, verifyBankSignature } from '#shared/payments/banks';
import { callbackChecksum, callbackRsaChecksum, verifyCallbackChecksum } from '#shared/payments/sber';
import type { ServiceId } from '#shared/registry/services';
import { addMonths } from '#shared/time';

/**
 * Properties checked against an independent oracle: a model of an account's money written here
 * from the rules (ПП РФ № 354 п. 118: money pays debts, what exceeds them is an advance that the
 * next run applies), not from the code's own sums. The ledger under test is built by the code's
 * own writers (allocation, refunds, advance offsets) as the payments feature and the billing run
 * use them; the model only ever sees the amounts the resident was charged and paid.
 */

const ACCOUNT = '100001';
const SERVICES: ServiceId[] = ['cold_water', 'hot_water', 'electricity', 'gas', 'maintenance'];
const FIRST = '2025-01';

interface Month {
  /** Apply the advance (the billing run's offset) at the start of the month. */
  offset: boolean;
  charges: Array<{ service: ServiceId; amount: number }>;
  /** A recalculation of last month's line: fraction of the service's debt taken back, or an extra. */
  recalc?: { service: ServiceId; sign: 'credit' | 'extra'; amount: number };
  payments: Array<{ amount: number; named: boolean }>;
  /** Refund of an earlier payment (index into all payments so far, modulo). */
  refund?: { which: number; fraction: number };
}

const month: fc.Arbitrary<Month> = fc.record(
  {
    offset: fc.boolean(),
    charges: fc.uniqueArray(
      fc.record({ service: fc.constantFrom(...SERVICES), amount: fc.integer({ min: 1, max: 900_000 }) }),
      { selector: (c) => c.service, maxLength: SERVICES.length },
    ),
    recalc: fc.record({
      service: fc.constantFrom(...SERVICES),
      sign: fc.constantFrom('credit' as const, 'extra' as const),
      amount: fc.integer({ min: 1, max: 300_000 }),
    }),
    payments: fc.array(fc.record({ amount: fc.integer({ min: 1, max: 2_000_000 }), named: fc.boolean() }), {
      maxLength: 3,
    }),
    refund: fc.record({ which: fc.nat(), fraction: fc.constantFrom(1, 0.5, 0.25) }),
  },
  { requiredKeys: ['offset', 'charges', 'payments'] },
);

/** What the resident was charged and paid, as the oracle keeps it: plain integers, no allocation. */
interface Model {
  /** Sum of everything owed and not paid (kopecks ≥ 0 while no service is overpaid). */
  debt: number;
  /** Money paid beyond every debt and not yet applied (kopecks; negative once a refund takes back an applied advance). */
  advance: number;
  /** Per period: charged (charges and recalculations made in it) and paid (payments less refunds). */
  periods: Map<string, { charged: number; paid: number }>;
}

interface Built {
  entries: LedgerEntry[];
  model: Model;
}

/**
 * Plays the months through the code's writers and the model side by side. A payment's split
 * between debts and advance is the model's own: min(payment, debt) to debts, the rest advance.
 */
function play(months: readonly Month[]): Built {
  const entries: LedgerEntry[] = [];
  const model: Model = { debt: 0, advance: 0, periods: new Map() };
  const paid: Array<{
    id: string;
    amount: number;
    toDebt: number;
    toAdvance: number;
    refunded: boolean;
    parts: ReturnType<typeof allocatePaymentToLedger>;
  }> = [];
  const row = (period: string) => {
    let r = model.periods.get(period);
    if (!r) {
      r = { charged: 0, paid: 0 };
      model.periods.set(period, r);
    }
    return r;
  };
  months.forEach((m, i) => {
    const period = addMonths(FIRST, i);
    const at = (day: number, n = 0) =>
      `${period}-${String(day).padStart(2, '0')}T09:${String(n).padStart(2, '0')}:00.000Z`;
    row(period);
    if (m.offset) {
      const lines = advanceOffset(entries);
      if (lines.length > 0) {
        entries.push(offsetEntry(ACCOUNT, period, lines, at(1)));
        const applied = Math.min(Math.max(model.advance, 0), model.debt);
        model.advance -= applied;
        model.debt -= applied;
      }
    }
    if (m.charges.length > 0) {
      entries.push(
        chargeEntry(
          ACCOUNT,
          period,
          m.charges.map((c) => ({
            ...c,
            volume: '1',
            method: 'meter' as const,
            unit: 'м³',
            price: '1',
            tariffFrom: FIRST,
          })),
          at(1, 1),
        ),
      );
      const total = m.charges.reduce((s, c) => s + c.amount, 0);
      model.debt += total;
      row(period).charged += total;
    }
    if (m.recalc && i > 0) {
      // A recalculation that takes money back never exceeds what the service still owes: the
      // ledger keeps a service's overpayment as its own credit, which this model does not cover.
      const owes = balanceOfEntries(entries).services.find((s) => s.service === m.recalc?.service)?.balance ?? 0;
      const delta = m.recalc.sign === 'extra' ? m.recalc.amount : -Math.min(m.recalc.amount, Math.max(owes, 0));
      if (delta !== 0) {
        const line = {
          service: m.recalc.service,
          amount: delta,
          volume: '1',
          method: 'meter' as const,
          unit: 'м³',
          price: '1',
          tariffFrom: FIRST,
        };
        entries.push(
          recalcEntry(
            ACCOUNT,
            period,
            [{ ...line, forPeriod: addMonths(period, -1), billedAmount: 0, revisedAmount: delta }],
            at(1, 2),
          ),
        );
        model.debt += delta;
        row(period).charged += delta;
      }
    }
    m.payments.forEach((p, n) => {
      const id = `p${paid.length}`;
      const parts = allocatePaymentToLedger(p.amount, entries, p.named ? period : undefined);
      entries.push(
        paymentEntry({ account: ACCOUNT, paymentId: id, period, allocation: parts, paidAt: at(12, n), source: 'test' }),
      );
      const toDebt = Math.min(p.amount, model.debt);
      model.debt -= toDebt;
      model.advance += p.amount - toDebt;
      row(period).paid += p.amount;
      paid.push({ id, amount: p.amount, toDebt, toAdvance: p.amount - toDebt, refunded: false, parts });
    });
    if (m.refund && paid.length > 0) {
      const payment = paid[m.refund.which % paid.length];
      if (payment && !payment.refunded) {
        // A partial refund of a payment split between debts and an advance would make the model
        // restate the proportional split; the model refunds such a payment whole.
        const mixed = payment.toDebt > 0 && payment.toAdvance > 0;
        const refunded = mixed ? payment.amount : Math.max(1, Math.floor(payment.amount * m.refund.fraction));
        const lines = refundParts(refunded, payment.parts);
        entries.push(
          paymentEntry({
            account: ACCOUNT,
            paymentId: `${payment.id}.refund`,
            period,
            allocation: lines.map((l) => ({ ...l, amount: -l.amount })),
            paidAt: at(20),
            source: 'test',
          }),
        );
        payment.refunded = true;
        const share = refunded / payment.amount;
        model.debt += Math.round(payment.toDebt * share);
        model.advance -= Math.round(payment.toAdvance * share);
        row(period).paid -= refunded;
      }
    }
  });
  return { entries, model };
}

/** Fisher–Yates with the given random draws: any order of the entries. */
function permute<T>(items: readonly T[], draws: readonly number[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = (draws[i % Math.max(draws.length, 1)] ?? 0) % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

const months = fc.array(month, { minLength: 1, maxLength: 14 });

describe('the ledger against a model of the account (property-based)', () => {
  it('has the balance the model says: charged − paid, whatever the charges, recalculations, payments, refunds and advances', () => {
    fc.assert(
      fc.property(months, (ms) => {
        const { entries, model } = play(ms);
        const balance = balanceOfEntries(entries);
        const periods = [...model.periods.values()];
        const charged = periods.reduce((s, p) => s + p.charged, 0);
        const paidIn = periods.reduce((s, p) => s + p.paid, 0);
        expect(balance.total).toBe(charged - paidIn);
        expect(balance.total).toBe(model.debt - model.advance);
        // The advance is the `advance` line; the services together owe the model's debt.
        const advanceLine = balance.services.find((s) => s.service === ADVANCE)?.balance ?? 0;
        expect(advanceLine).toBe(0 - model.advance);
        expect(balance.total - advanceLine).toBe(model.debt);
        // No service is ever paid beyond its debts, and the replay agrees on the advance.
        const position = ledgerPosition(entries);
        expect(position.credits).toEqual([]);
        expect(position.debts.reduce((s, d) => s + d.amount, 0)).toBe(model.debt);
        expect(position.advance).toBe(Math.max(model.advance, 0));
      }),
    );
  });

  it('applies an advance to debts at the next run, so debt and advance never stand side by side after it', () => {
    fc.assert(
      fc.property(months, (ms) => {
        const { entries, model } = play(ms.map((m) => ({ ...m, offset: true })));
        const period = addMonths(FIRST, ms.length);
        const lines = advanceOffset(entries);
        const after =
          lines.length > 0 ? [...entries, offsetEntry(ACCOUNT, period, lines, `${period}-01T00:00:00.000Z`)] : entries;
        const applied = Math.min(Math.max(model.advance, 0), model.debt);
        const position = ledgerPosition(after);
        expect(position.debts.reduce((s, d) => s + d.amount, 0)).toBe(model.debt - applied);
        expect(position.advance).toBe(Math.max(model.advance, 0) - applied);
        expect(position.advance === 0 || position.debts.length === 0).toBe(true);
        expect(balanceOfEntries(after).total).toBe(model.debt - model.advance);
      }),
    );
  });

  it('makes a statement whose every row is the model’s month: opening + charged − paid = closing', () => {
    fc.assert(
      fc.property(months, (ms) => {
        const { entries, model } = play(ms);
        const last = addMonths(FIRST, ms.length - 1);
        const rows = statementRows(entries, FIRST, last);
        let opening = 0;
        for (const r of rows) {
          const m = model.periods.get(r.period) ?? { charged: 0, paid: 0 };
          expect({
            period: r.period,
            opening: r.opening,
            charged: r.charged,
            paid: r.paid,
            closing: r.closing,
          }).toEqual({
            period: r.period,
            opening,
            charged: m.charged,
            paid: m.paid,
            closing: opening + m.charged - m.paid,
          });
          opening += m.charged - m.paid;
        }
      }),
    );
  });

  it('gives the same balance, statement and debts for any order the same entries are read in', () => {
    fc.assert(
      fc.property(months, fc.array(fc.nat(), { minLength: 1, maxLength: 64 }), (ms, draws) => {
        const { entries } = play(ms);
        const shuffled = permute(entries, draws);
        const last = addMonths(FIRST, ms.length - 1);
        expect(balanceOfEntries(shuffled)).toEqual(balanceOfEntries(entries));
        expect(statementRows(shuffled, FIRST, last)).toEqual(statementRows(entries, FIRST, last));
        expect(ledgerPosition(shuffled).debts).toEqual(ledgerPosition(entries).debts);
        expect(ledgerPosition(shuffled).advance).toBe(ledgerPosition(entries).advance);
      }),
    );
  });

  it('the permutation used above is one: every order of three entries comes out of it', () => {
    const seen = new Set<string>();
    for (let a = 0; a < 6; a++) for (let b = 0; b < 6; b++) seen.add(permute(['x', 'y', 'z'], [0, a, b]).join(''));
    expect(seen.size).toBe(6);
  });
});

/**
 * Any one character changed at any position, to any other character (not only appended): a hex
 * digit changed only in case is the same byte, so "another character" means another value.
 */
function changeOne(text: string, position: number, replacement: string): string | undefined {
  const at = position % text.length;
  const before = text[at] ?? '';
  if (replacement === before) return undefined;
  if (/^[0-9a-f]$/i.test(before) && replacement.toLowerCase() === before.toLowerCase()) return undefined;
  return `${text.slice(0, at)}${replacement}${text.slice(at + 1)}`;
}

const anyChar = fc.oneof(
  fc.constantFrom(...'0123456789abcdefABCDEF'),
  fc.string({ minLength: 1, maxLength: 1, unit: 'binary' }),
);

describe('signatures refuse any single-character change (property-based)', () => {
  const BANK_KEY = 'bank-key-0123456789abcdef';
  const request = {
    timestamp: '1795000000',
    method: 'POST',
    path: '/api/banks/sberbank/payments',
    rawBody: JSON.stringify({
      account: '100001',
      amount: 254_300,
      paymentId: 'sb-42',
      paidAt: '2026-11-12T10:00:00+03:00',
    }),
  };
  const signature = bankSignature(BANK_KEY, request);
  const verifyBank = (changed: Partial<typeof request> & { signature?: string }) =>
    verifyBankSignature({
      key: BANK_KEY,
      ...request,
      ...changed,
      signature: changed.signature ?? signature,
      nowSeconds: 1_795_000_000,
    });

  it('the untouched bank request verifies (so a refusal below is the change’s doing)', () => {
    expect(verifyBank({})).toBe(true);
  });

  it('a bank signature with one character changed anywhere is refused', () => {
    fc.assert(
      fc.property(fc.nat(), anyChar, (position, replacement) => {
        const changed = changeOne(signature, position, replacement);
        fc.pre(changed !== undefined);
        expect(verifyBank({ signature: changed })).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it('a signed request with one character of its body, path, method or timestamp changed is refused', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('rawBody', 'path', 'method', 'timestamp' as const),
        fc.nat(),
        anyChar,
        (part, position, replacement) => {
          const text = request[part as keyof typeof request];
          const at = position % text.length;
          fc.pre(text[at] !== replacement);
          const changed = `${text.slice(0, at)}${replacement}${text.slice(at + 1)}`;
          expect(verifyBank({ [part]: changed })).toBe(false);
        },
      ),
      { numRuns: 500 },
    );
  });

  const CALLBACK_KEY = 'rac-sandbox-callback-secret';
  const callback = {
    mdOrder: '3ff6962a-7dcc-4283-ab50-a6d7dd3386fe',
    orderNumber: '100001-0mhxyz1230a1b2c3d4e',
    operation: 'deposited',
    status: '1',
    amount: '254300',
  };
  const hmac = callbackChecksum(callback, CALLBACK_KEY);
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const rsa = callbackRsaChecksum(callback, privateKey);

  it('the untouched callbacks verify with either kind of checksum', () => {
    expect(verifyCallbackChecksum({ ...callback, checksum: hmac }, CALLBACK_KEY)).toBe(true);
    expect(verifyCallbackChecksum({ ...callback, checksum: rsa }, { publicKey })).toBe(true);
  });

  it('an acquirer checksum (HMAC or RSA) with one character changed anywhere is refused', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.nat(), anyChar, (useRsa, position, replacement) => {
        const checksum = changeOne(useRsa ? rsa : hmac, position, replacement);
        fc.pre(checksum !== undefined);
        expect(verifyCallbackChecksum({ ...callback, checksum }, { secret: CALLBACK_KEY, publicKey })).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it('a callback with one character of any parameter changed anywhere is refused', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...(Object.keys(callback) as Array<keyof typeof callback>)),
        fc.boolean(),
        fc.nat(),
        anyChar,
        (name, useRsa, position, replacement) => {
          const value = callback[name];
          const at = position % value.length;
          fc.pre(value[at] !== replacement);
          const params = {
            ...callback,
            [name]: `${value.slice(0, at)}${replacement}${value.slice(at + 1)}`,
            checksum: useRsa ? rsa : hmac,
          };
          expect(verifyCallbackChecksum(params, { secret: CALLBACK_KEY, publicKey })).toBe(false);
        },
      ),
      { numRuns: 500 },
    );
  });
});
