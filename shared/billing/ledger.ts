import { splitInProportion } from '#shared/billing/money';
import { keys } from '#shared/keys';
import { PENALTY_SERVICE, type ServiceId } from '#shared/registry/services';

/**
 * The ledger of an account: immutable entries in the account's partition, `sk` under
 * `LEDGER#`. The balance, the statement and the charges history are all derived from them; nothing
 * derived is stored.
 *
 * Key (keys.ledgerEntry): `pk ACC#<account>`, `sk LEDGER#<period>#<kind>#<id>`:
 * - `charge`   `LEDGER#2026-10#charge#billing` — the month's charges, one entry per account and
 *              period, written by the billing run (one conditional put: it is also what makes a
 *              re-run of the period a no-op);
 * - `recalc`   `LEDGER#2026-11#recalc#billing` — recalculations of earlier periods made by the run
 *              of 2026-11 (each line names the period it corrects, `forPeriod`);
 * - `opening`  `LEDGER#2026-01#opening#cold_water.1` — a balance carried over from the previous
 *              system (`npm run rac -- import balances`); a corrected re-import adds `.2`, `.3`;
 * - `penalty`  `LEDGER#2026-11#penalty#billing` — the пени accrued in the month (ЖК РФ ст. 155
 *              ч. 14), one line of service `penalty`, written by the run of 2026-11
 *              (shared/billing/penalties.ts);
 * - `offset`   `LEDGER#2026-11#offset#billing` — an advance applied to debts by the run of 2026-11
 *              (ПП РФ № 354 п. 118): `advance` +X, the services paid −X in all, each with `forPeriod`;
 * - `payment`  `LEDGER#2026-10#payment#<paymentId>` — a payment received, written by the payments
 *              feature, lines negative, each naming the bill it pays (`forPeriod`,
 *              shared/billing/allocation.ts) or `advance`.
 *
 * Every entry carries `lines`, each `{service, amount}` in signed kopecks (+ the resident owes,
 * − paid or credited), plus whatever detail its kind has. An entry is a document with lines (one
 * per service) rather than an item per service: a month's bill is one write of ~2 KB instead of ten,
 * and the unit of idempotency is the document.
 *
 * The payments feature writes, with a conditional put (attribute_not_exists(pk)):
 *   { pk: 'ACC#<account>', sk: 'LEDGER#<period of payment, Moscow>#payment#<paymentId>',
 *     entity: 'ledger', account, period, kind: 'payment', id: paymentId,
 *     lines: allocateToDebts(amount, debtsOf(ledger), {period}).map(...)  // negative, summing to −amount
 *     total: −amount, createdAt, paidAt, source: 'sber' | 'bank' | ... }
 * (see `paymentEntry` below, which builds exactly this).
 */

export const LEDGER_KINDS = ['opening', 'charge', 'recalc', 'penalty', 'offset', 'payment'] as const;
export type LedgerKind = (typeof LEDGER_KINDS)[number];

/**
 * A ledger line's service: a billed service, `penalty` for пени (ЖК РФ ст. 155 ч. 14), or
 * `advance` for money not yet owed for anything.
 */
export type LedgerService = ServiceId | typeof PENALTY_SERVICE.id | 'advance';

export const ADVANCE = 'advance' as const;
export const PENALTY = PENALTY_SERVICE.id;

/** How a charge line's volume was determined. */
export const CHARGE_METHODS = ['meter', 'average', 'norm', 'area', 'residents'] as const;
export type ChargeMethod = (typeof CHARGE_METHODS)[number];

/** The part of a metered volume that one service's meters (or their estimate) contribute. */
export interface VolumePart {
  service: ServiceId;
  /** Decimal string, before any increasing coefficient. */
  volume: string;
  method: 'meter' | 'average' | 'norm';
  /** Serials of the account's meters of this service that the volume stands for (empty: none). */
  meters: string[];
}

export interface LedgerLine {
  service: LedgerService;
  /** Signed kopecks: + owed, − paid. */
  amount: number;
  /**
   * Payments and offsets: the bill (period) the money pays. Absent on `advance` lines and on
   * payments recorded before payments named their bill; those pay the service's oldest debts.
   */
  forPeriod?: string;
}

/** One service's charge for a period. */
export interface ChargeLine extends LedgerLine {
  service: ServiceId;
  /** The volume charged, decimal string (increasing coefficient applied). */
  volume: string;
  method: ChargeMethod;
  unit: string;
  /** Roubles per unit, decimal string. */
  price: string;
  /** `from` of the tariff applied. */
  tariffFrom: string;
  /** The increasing coefficient of ПП РФ № 354, when it was applied. */
  coefficient?: string;
  /**
   * Metered services: how the volume was made up. One part for the service itself; wastewater has
   * one per water service it drains. A recalculation revises these parts and nothing else.
   */
  parts?: VolumePart[];
}

/** A correction of an earlier period's line: the line as revised, and the difference owed. */
export interface RecalcLine extends ChargeLine {
  forPeriod: string;
  /** What the period's line had come to before (charge plus earlier recalculations), kopecks. */
  billedAmount: number;
  /** What the revised line comes to; `amount` = revisedAmount − billedAmount. */
  revisedAmount: number;
}

interface EntryBase<K extends LedgerKind, L extends LedgerLine> {
  pk: string;
  sk: string;
  entity: 'ledger';
  account: string;
  period: string;
  kind: K;
  id: string;
  lines: L[];
  /** Sum of the lines' amounts (kept for reading a total without the lines). */
  total: number;
  createdAt: string;
}

export type ChargeEntry = EntryBase<'charge', ChargeLine>;
export type RecalcEntry = EntryBase<'recalc', RecalcLine>;
export type OpeningEntry = EntryBase<'opening', LedgerLine> & { source: 'import' };
export type PaymentEntry = EntryBase<'payment', LedgerLine> & { paidAt: string; source: string };

/** One bill's part of the month's пени (shared/billing/penalties.ts). */
export interface PenaltyBill {
  /** The bill (period) whose unpaid sum bears пени. */
  forPeriod: string;
  /** The day its payment fell due, `YYYY-MM-DD`. */
  dueDate: string;
  /** Its sum still unpaid at the end of the month, kopecks. */
  overdue: number;
  /** Пени on it from the 31st day after the due date through the month's end (or payment), kopecks. */
  accrued: number;
}

/** The пени of a month: what has accrued by its last day, less what earlier months charged. */
export interface PenaltyLine extends LedgerLine {
  service: typeof PENALTY_SERVICE.id;
  /** Пени accrued on every bill from its first overdue day through the month's last day, kopecks. */
  accrued: number;
  /** Пени charged by earlier months, kopecks; `amount` = accrued − charged. */
  charged: number;
  /** The rate applied to sums still unpaid at the month's end, percent a year ("9.5"). */
  rate: string;
  bills: PenaltyBill[];
}

export type PenaltyEntry = EntryBase<'penalty', PenaltyLine>;
export type OffsetEntry = EntryBase<'offset', LedgerLine>;
export type LedgerEntry = ChargeEntry | RecalcEntry | OpeningEntry | PaymentEntry | PenaltyEntry | OffsetEntry;

/** The id of the entries the billing run writes (one of each kind per account and period). */
export const BILLING_ENTRY_ID = 'billing';

function entry<K extends LedgerKind, L extends LedgerLine>(
  account: string,
  period: string,
  kind: K,
  id: string,
  lines: L[],
  createdAt: string,
): EntryBase<K, L> {
  return {
    ...keys.ledgerEntry(account, period, kind, id),
    entity: 'ledger',
    account,
    period,
    kind,
    id,
    lines,
    total: lines.reduce((sum, l) => sum + l.amount, 0),
    createdAt,
  };
}

export function chargeEntry(account: string, period: string, lines: ChargeLine[], createdAt: string): ChargeEntry {
  return entry(account, period, 'charge', BILLING_ENTRY_ID, lines, createdAt);
}

export function recalcEntry(account: string, period: string, lines: RecalcLine[], createdAt: string): RecalcEntry {
  return entry(account, period, 'recalc', BILLING_ENTRY_ID, lines, createdAt);
}

export function penaltyEntry(account: string, period: string, line: PenaltyLine, createdAt: string): PenaltyEntry {
  return entry(account, period, 'penalty', BILLING_ENTRY_ID, [line], createdAt);
}

/** An advance applied to debts at billing: `lines` sum to zero (`advance` +X, services −X in all). */
export function offsetEntry(account: string, period: string, lines: LedgerLine[], createdAt: string): OffsetEntry {
  return entry(account, period, 'offset', BILLING_ENTRY_ID, lines, createdAt);
}

export function openingEntry(
  account: string,
  period: string,
  service: LedgerService,
  sequence: number,
  amount: number,
  createdAt: string,
): OpeningEntry {
  return {
    ...entry(account, period, 'opening', `${service}.${sequence}`, [{ service, amount }], createdAt),
    source: 'import',
  };
}

/**
 * A payment as the payments feature records it: `allocation` from `allocateToDebts` (positive
 * kopecks per service and bill), stored negated.
 */
export function paymentEntry(input: {
  account: string;
  paymentId: string;
  period: string;
  allocation: LedgerLine[];
  paidAt: string;
  source: string;
}): PaymentEntry {
  const lines = input.allocation.map((l) => ({
    service: l.service,
    amount: -l.amount,
    ...(l.forPeriod ? { forPeriod: l.forPeriod } : {}),
  }));
  return {
    ...entry(input.account, input.period, 'payment', input.paymentId, lines, input.paidAt),
    paidAt: input.paidAt,
    source: input.source,
  };
}

/** A ledger line as far as the balance needs it: signed kopecks per service (+ owes, − paid). */
export interface LedgerAmount {
  service: string;
  amount: number;
}

export interface Balance {
  total: number;
  services: Array<{ service: string; balance: number }>;
}

/** The balance is derived, never stored: the sum of the ledger lines, per service and in total. */
export function sumLedger(lines: readonly LedgerAmount[]): Balance {
  const byService = new Map<string, number>();
  for (const l of lines) byService.set(l.service, (byService.get(l.service) ?? 0) + l.amount);
  const services = [...byService]
    .map(([service, balance]) => ({ service, balance }))
    .sort((a, b) => a.service.localeCompare(b.service));
  return { total: services.reduce((sum, s) => sum + s.balance, 0), services };
}

/** Entries in ledger order: by period, then opening, charge, recalc, payment, then id. */
export function byLedgerOrder(a: LedgerEntry, b: LedgerEntry): number {
  if (a.period !== b.period) return a.period < b.period ? -1 : 1;
  const kind = LEDGER_KINDS.indexOf(a.kind) - LEDGER_KINDS.indexOf(b.kind);
  if (kind !== 0) return kind;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * Splits a payment over the services the resident owes for, in proportion to each debt (largest
 * remainder, so the parts sum exactly to the payment). Whatever exceeds the total debt is an
 * advance, by balances alone. Payments themselves are allocated bill by bill (shared/billing/allocation.ts);
 * this split serves the ЕПД test fixture and stays pinned by its tests.
 */
export function allocatePayment(
  amount: number,
  balances: ReadonlyArray<{ service: string; balance: number }>,
): LedgerLine[] {
  if (!Number.isSafeInteger(amount) || amount <= 0) throw new RangeError('A payment is a positive number of kopecks');
  const debts = balances.filter((b) => b.balance > 0 && b.service !== ADVANCE);
  const totalDebt = debts.reduce((sum, d) => sum + d.balance, 0);
  const toDebts = Math.min(amount, totalDebt);
  // By service name, so ties of the largest remainder go to the first service alphabetically.
  const ordered = [...debts].sort((a, b) => a.service.localeCompare(b.service));
  const parts = splitInProportion(
    toDebts,
    ordered.map((d) => d.balance),
  );
  const lines: LedgerLine[] = ordered
    .map((d, i) => ({ service: d.service as LedgerService, amount: parts[i] ?? 0 }))
    .filter((l) => l.amount > 0);
  if (amount > toDebts) lines.push({ service: ADVANCE, amount: amount - toDebts });
  return lines.sort((a, b) => a.service.localeCompare(b.service));
}
