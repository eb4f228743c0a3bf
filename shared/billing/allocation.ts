import { ADVANCE, type LedgerEntry, type LedgerLine, type LedgerService, PENALTY } from '#shared/billing/ledger';
import { splitInProportion } from '#shared/billing/money';
import { addMonths, moscowInstant, parsePeriod } from '#shared/time';

export { splitInProportion };

/**
 * What an account owes per bill and service, and how a payment or an advance pays it. Pure
 * functions of the ledger (shared/billing/ledger.ts).
 *
 * The law:
 * - ПП РФ № 354, п. 118: money paid for a named period pays that period; an overpayment counts
 *   towards future periods (an advance), so it is applied to the next charges.
 * - ГК РФ ст. 319.1 (and Пленум ВС РФ № 22 of 27.06.2017, п. 32): a payment that names no period
 *   pays the obligation that fell due first, i.e. the oldest debt.
 * - Within one bill the money is split over its services in proportion to their amounts
 *   (п. 118: «пропорционально размеру каждой платы, указанной в платежном документе»); the bill's
 *   пени come after its services, so the principal stops bearing пени first.
 *
 * A bill here is a period's charges, its recalculations and its пени (`LEDGER#<period>#…`, kinds
 * charge, recalc, penalty: what that month's ЕПД asks for). A balance carried from the previous
 * system (`opening`) is a debt of the month before its period. A payment line names its bill
 * (`forPeriod`); lines recorded before payments did, and a negative recalculation, pay the
 * service's oldest debts. Money beyond every debt of a service stays that service's credit;
 * money beyond every debt is an `advance`, applied to debts by the next billing run (`offset`).
 */

/**
 * A period as payers name it: `2026-10`, or `102026` / `10.2026` as the ЕПД's QR code carries it
 * (ГОСТ Р 56042-2014 PaymPeriod, MMYYYY) and as banks' registries repeat it.
 */
export const PAID_PERIOD = /^(?:\d{4}-(?:0[1-9]|1[0-2])|(?:0[1-9]|1[0-2])[.]?\d{4})$/;

/** `YYYY-MM` of a payer's period, or undefined when it is not one. */
export function paidPeriod(text: string | undefined): string | undefined {
  const value = text?.trim() ?? '';
  if (!PAID_PERIOD.test(value)) return undefined;
  if (value.includes('-')) return value;
  const digits = value.replace('.', '');
  return `${digits.slice(2)}-${digits.slice(0, 2)}`;
}

/** What is still owed on one bill for one service (positive kopecks). */
export interface Debt {
  period: string;
  service: string;
  amount: number;
  /** A balance carried over from the previous system: no пени here (its due dates are not known). */
  opening?: true;
}

/** Money applied to a bill's service, and when (ISO instant): the facts пени are computed from. */
export interface Application {
  period: string;
  service: string;
  amount: number;
  at: string;
}

export interface Bill {
  period: string;
  service: string;
  opening: boolean;
  /** Everything charged on the bill for the service (kopecks). */
  charged: number;
  applications: Application[];
}

export interface LedgerPosition {
  /** Outstanding debts, oldest first, then by service. */
  debts: Debt[];
  /** Every bill and service, with the money applied to it. */
  bills: Bill[];
  /** Unapplied advance (kopecks ≥ 0). */
  advance: number;
  /** Money paid for a service beyond all of its debts (kopecks > 0). */
  credits: Array<{ service: string; amount: number }>;
}

interface Credit {
  service: string;
  amount: number;
  forPeriod: string | undefined;
  at: string;
  order: string;
}

const periodStart = (period: string) => {
  const { year, month } = parsePeriod(period);
  return moscowInstant(year, month).toISOString();
};

/** Replays the ledger: charges make debts, money pays them as its lines say. */
export function ledgerPosition(entries: readonly LedgerEntry[]): LedgerPosition {
  const bills = new Map<string, Bill>();
  const billOf = (period: string, service: string, opening = false): Bill => {
    const key = `${period}|${service}`;
    let bill = bills.get(key);
    if (!bill) {
      bill = { period, service, opening, charged: 0, applications: [] };
      bills.set(key, bill);
    }
    return bill;
  };
  const credits: Credit[] = [];
  let advance = 0;
  for (const entry of entries) {
    for (const line of entry.lines as readonly LedgerLine[]) {
      if (line.amount === 0) continue;
      if (line.service === ADVANCE) {
        advance -= line.amount;
        continue;
      }
      const opening = entry.kind === 'opening';
      const isMoney = entry.kind === 'payment' || entry.kind === 'offset';
      if (line.amount > 0) {
        // A charge, or money taken back (a refund) on the bill it had paid.
        const period = opening
          ? addMonths(entry.period, -1)
          : isMoney
            ? (line.forPeriod ?? entry.period)
            : entry.period;
        billOf(period, line.service, opening).charged += line.amount;
        continue;
      }
      const at = entry.kind === 'payment' ? entry.paidAt : opening ? periodStart(entry.period) : entry.createdAt;
      credits.push({
        service: line.service,
        amount: -line.amount,
        forPeriod: isMoney ? line.forPeriod : undefined,
        at,
        order: `${at}|${entry.sk}`,
      });
    }
  }
  const byService = new Map<string, Bill[]>();
  for (const bill of bills.values()) {
    const list = byService.get(bill.service) ?? [];
    list.push(bill);
    byService.set(bill.service, list);
  }
  for (const list of byService.values()) list.sort((a, b) => (a.period < b.period ? -1 : a.period > b.period ? 1 : 0));
  const owed = (bill: Bill) => bill.charged - bill.applications.reduce((sum, a) => sum + a.amount, 0);
  const pool = new Map<string, number>();
  credits.sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : 0));
  for (const credit of credits) {
    let left = credit.amount;
    const apply = (bill: Bill) => {
      const part = Math.min(left, owed(bill));
      if (part <= 0) return;
      bill.applications.push({ period: bill.period, service: bill.service, amount: part, at: credit.at });
      left -= part;
    };
    if (credit.forPeriod) {
      const named = bills.get(`${credit.forPeriod}|${credit.service}`);
      if (named) apply(named);
    }
    // Every bill of the service is known here, also those charged after the money came: money
    // paid ahead for a service pays its next charges (at the time it was paid, so before their
    // due date).
    for (const bill of byService.get(credit.service) ?? []) {
      if (left === 0) break;
      apply(bill);
    }
    if (left > 0) pool.set(credit.service, (pool.get(credit.service) ?? 0) + left);
  }
  const ordered = [...bills.values()].sort(byBill);
  const debts: Debt[] = [];
  for (const bill of ordered) {
    const amount = owed(bill);
    if (amount > 0)
      debts.push({
        period: bill.period,
        service: bill.service,
        amount,
        ...(bill.opening ? { opening: true as const } : {}),
      });
  }
  return {
    debts,
    bills: ordered,
    advance: Math.max(0, advance),
    credits: [...pool]
      .filter(([, amount]) => amount > 0)
      .map(([service, amount]) => ({ service, amount }))
      .sort((a, b) => a.service.localeCompare(b.service)),
  };
}

function byBill(a: { period: string; service: string }, b: { period: string; service: string }): number {
  if (a.period !== b.period) return a.period < b.period ? -1 : 1;
  return a.service.localeCompare(b.service);
}

/** A part of a payment: positive kopecks for a bill's service, or `advance` (no period). */
export interface Allocation {
  service: LedgerService;
  amount: number;
  forPeriod?: string;
}

/**
 * How a payment of `amount` kopecks pays the debts: the bill of `options.period` first (its
 * services in proportion to what each still owes on it, then its пени), then every other debt
 * oldest first (each bill alike), and whatever is left is an advance. The parts sum to `amount`
 * exactly, none exceeds its debt, and the same debts always give the same parts.
 */
export function allocateToDebts(
  amount: number,
  debts: readonly Debt[],
  options: { period?: string | undefined } = {},
): Allocation[] {
  if (!Number.isSafeInteger(amount) || amount <= 0) throw new RangeError('A payment is a positive number of kopecks');
  const periods = [...new Set(debts.map((d) => d.period))].sort();
  const named = options.period && periods.includes(options.period) ? options.period : undefined;
  const order = named ? [named, ...periods.filter((p) => p !== named)] : periods;
  const lines: Allocation[] = [];
  let left = amount;
  for (const period of order) {
    if (left === 0) break;
    const ofBill = debts.filter((d) => d.period === period && d.amount > 0);
    const services = ofBill.filter((d) => d.service !== PENALTY);
    const principal = services.reduce((sum, d) => sum + d.amount, 0);
    const toServices = Math.min(left, principal);
    splitInProportion(
      toServices,
      services.map((d) => d.amount),
    ).forEach((part, i) => {
      if (part > 0) lines.push({ service: services[i]?.service as LedgerService, amount: part, forPeriod: period });
    });
    left -= toServices;
    for (const penalty of ofBill.filter((d) => d.service === PENALTY)) {
      const part = Math.min(left, penalty.amount);
      if (part > 0) lines.push({ service: PENALTY, amount: part, forPeriod: period });
      left -= part;
    }
  }
  if (left > 0) lines.push({ service: ADVANCE, amount: left });
  return lines;
}

/** The payment's parts for an account's ledger as it stands (see allocateToDebts). */
export function allocatePaymentToLedger(
  amount: number,
  entries: readonly LedgerEntry[],
  period?: string,
): Allocation[] {
  return allocateToDebts(amount, ledgerPosition(entries).debts, { period });
}

/** The parts of a payment by service, whatever bills they paid (receipts and the payments list). */
export function byServiceTotals<T extends { service: string; amount: number }>(
  lines: readonly T[],
): Array<{ service: T['service']; amount: number }> {
  const totals = new Map<T['service'], number>();
  for (const l of lines) totals.set(l.service, (totals.get(l.service) ?? 0) + l.amount);
  return [...totals].map(([service, amount]) => ({ service, amount }));
}

/**
 * A refund takes back the parts of the payment it returns: all of them, or each in proportion
 * (so the bills it had paid are owed again, as they were).
 */
export function refundParts(refunded: number, allocation: readonly Allocation[]): Allocation[] {
  const total = allocation.reduce((sum, l) => sum + l.amount, 0);
  if (refunded >= total) return allocation.map((l) => ({ ...l }));
  return splitInProportion(
    refunded,
    allocation.map((l) => l.amount),
  )
    .map((amount, i) => ({ ...(allocation[i] as Allocation), amount }))
    .filter((l) => l.amount > 0);
}

/**
 * ПП РФ № 354, п. 118: an advance counts towards the next charges. At billing, an account that
 * holds an advance while it owes anything has the advance applied to its debts, oldest first:
 * the lines of an `offset` entry (`advance` +X, the bills' services −X in all), or none.
 * Afterwards no service shows a debt while an advance remains.
 */
export function advanceOffset(entries: readonly LedgerEntry[]): LedgerLine[] {
  const position = ledgerPosition(entries);
  const owed = position.debts.reduce((sum, d) => sum + d.amount, 0);
  const applied = Math.min(position.advance, owed);
  if (applied <= 0) return [];
  const parts = allocateToDebts(applied, position.debts);
  return [
    { service: ADVANCE, amount: applied },
    ...parts.map((p) => ({
      service: p.service,
      amount: -p.amount,
      ...(p.forPeriod ? { forPeriod: p.forPeriod } : {}),
    })),
  ];
}
