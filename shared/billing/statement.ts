import { byServiceTotals } from '#shared/billing/allocation';
import type {
  ChargeLine,
  ChargeMethod,
  LedgerEntry,
  LedgerLine,
  LedgerService,
  PaymentEntry,
  PenaltyBill,
  PenaltyLine,
  RecalcLine,
} from '#shared/billing/ledger';
import { byLedgerOrder, sumLedger } from '#shared/billing/ledger';
import { periodTitle, roublesPlain } from '#shared/format';
import { addMonths } from '#shared/time';

/**
 * The resident's views of the ledger: the statement ("Начисления и платежи"), the charges with
 * their per-service breakdown, the payments, and the statement as CSV. Pure functions of the
 * account's entries.
 *
 * Per period: opening = everything before the period plus the opening balances carried into it;
 * charged = the period's charges and the recalculations made in it; paid = payments received in
 * it (a positive number); closing = opening + charged − paid. Each closing is the next opening.
 */

export interface StatementRow {
  period: string;
  opening: number;
  charged: number;
  paid: number;
  closing: number;
  /** Of `charged`, the month's пени (ЖК РФ ст. 155 ч. 14); present only when there are any. */
  penalty?: number;
}

export function periodsBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let p = from; p <= to; p = addMonths(p, 1)) out.push(p);
  return out;
}

const linesTotal = (lines: readonly LedgerLine[]) => lines.reduce((sum, l) => sum + l.amount, 0);

export function statementRows(entries: readonly LedgerEntry[], from: string, to: string): StatementRow[] {
  let carried = 0;
  const inRange = new Map<string, { opening: number; charged: number; paid: number; penalty: number }>();
  for (const p of periodsBetween(from, to)) inRange.set(p, { opening: 0, charged: 0, paid: 0, penalty: 0 });
  for (const entry of entries) {
    const amount = linesTotal(entry.lines);
    if (entry.period < from) {
      carried += amount;
      continue;
    }
    const row = inRange.get(entry.period);
    if (!row) continue;
    if (entry.kind === 'opening') row.opening += amount;
    else if (entry.kind === 'payment') row.paid -= amount;
    else row.charged += amount;
    if (entry.kind === 'penalty') row.penalty += amount;
  }
  const rows: StatementRow[] = [];
  for (const [period, sums] of inRange) {
    const opening = carried + sums.opening;
    const closing = opening + sums.charged - sums.paid;
    rows.push({
      period,
      opening,
      charged: sums.charged,
      paid: sums.paid,
      closing,
      ...(sums.penalty ? { penalty: sums.penalty } : {}),
    });
    carried = closing;
  }
  return rows;
}

export interface ChargeDetail {
  kind: 'charge' | 'recalc';
  service: LedgerService;
  volume: string;
  unit: string;
  method: ChargeMethod | 'penalty';
  price: string;
  coefficient?: string;
  amount: number;
  /** Recalculations: the period corrected. */
  forPeriod?: string;
  /** Пени: the debt overdue at the month's end that bears them, and the rate (percent a year). */
  penalty?: { overdue: number; rate: string; accrued: number; bills: PenaltyBill[] };
}

export interface PeriodChargesView {
  period: string;
  total: number;
  lines: ChargeDetail[];
}

/** The periods of the range that have charges or recalculations, each with its lines. */
export function chargesHistory(entries: readonly LedgerEntry[], from: string, to: string): PeriodChargesView[] {
  const byPeriod = new Map<string, ChargeDetail[]>();
  for (const entry of [...entries].sort(byLedgerOrder)) {
    if (entry.period < from || entry.period > to) continue;
    if (entry.kind === 'penalty') {
      const list = byPeriod.get(entry.period) ?? [];
      for (const line of entry.lines) list.push(penaltyDetail(line));
      byPeriod.set(entry.period, list);
      continue;
    }
    if (entry.kind !== 'charge' && entry.kind !== 'recalc') continue;
    const list = byPeriod.get(entry.period) ?? [];
    for (const line of entry.lines as Array<ChargeLine | RecalcLine>) {
      list.push({
        kind: entry.kind,
        service: line.service,
        volume: line.volume,
        unit: line.unit,
        method: line.method,
        price: line.price,
        ...(line.coefficient ? { coefficient: line.coefficient } : {}),
        amount: line.amount,
        ...('forPeriod' in line ? { forPeriod: line.forPeriod } : {}),
      });
    }
    byPeriod.set(entry.period, list);
  }
  return [...byPeriod].map(([period, lines]) => ({ period, total: linesTotal(lines), lines }));
}

/**
 * Пени as a line of the month's charges (service `penalty`): no volume or tariff of their own; the
 * debt they run on and the rate say where they come from.
 */
export function penaltyDetail(line: PenaltyLine): ChargeDetail {
  return {
    kind: 'charge',
    service: line.service,
    volume: '',
    unit: '',
    method: 'penalty',
    price: '',
    amount: line.amount,
    penalty: {
      overdue: line.bills.reduce((sum, b) => sum + b.overdue, 0),
      rate: line.rate,
      accrued: line.accrued,
      bills: line.bills,
    },
  };
}

export interface PaymentView {
  id: string;
  period: string;
  paidAt: string;
  /** Positive kopecks received. */
  amount: number;
  source: string;
  services: Array<{ service: LedgerService; amount: number }>;
}

export function paymentsHistory(entries: readonly LedgerEntry[], from: string, to: string): PaymentView[] {
  return entries
    .filter((e): e is PaymentEntry => e.kind === 'payment' && e.period >= from && e.period <= to)
    .sort((a, b) => (a.paidAt < b.paidAt ? -1 : a.paidAt > b.paidAt ? 1 : 0))
    .map((e) => ({
      id: e.id,
      period: e.period,
      paidAt: e.paidAt,
      amount: -linesTotal(e.lines),
      source: e.source,
      services: byServiceTotals(e.lines).map((l) => ({ service: l.service, amount: -l.amount })),
    }));
}

/** The balance as of the end of the ledger, per service and total (+ owed, − overpaid). */
export function balanceOfEntries(entries: readonly LedgerEntry[]) {
  return sumLedger(entries.flatMap((e) => e.lines));
}

/** The пени column comes last, so files read by column position before it existed still read right. */
export const STATEMENT_CSV_HEADER = [
  'Период',
  'Входящее сальдо',
  'Начислено',
  'Оплачено',
  'Исходящее сальдо',
  'В т.ч. пени',
];

/**
 * The statement as the resident downloads it: UTF-8 with a BOM (so Excel reads Cyrillic), `;`
 * between cells (a Russian Excel's list separator), CRLF, roubles with a decimal comma. The
 * period reads as on the screen ("Октябрь 2026"); the cells hold the numbers the screen shows.
 */
export function statementCsv(rows: readonly StatementRow[]): string {
  const lines = [STATEMENT_CSV_HEADER.join(';')];
  for (const row of rows) {
    lines.push(
      [
        periodTitle(row.period),
        roublesPlain(row.opening),
        roublesPlain(row.charged),
        roublesPlain(row.paid),
        roublesPlain(row.closing),
        roublesPlain(row.penalty ?? 0),
      ].join(';'),
    );
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
