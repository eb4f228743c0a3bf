import { ledgerPosition } from '#shared/billing/allocation';
import { type LedgerEntry, type PaymentEntry, sumLedger } from '#shared/billing/ledger';
import { paymentDueDate } from '#shared/billing/penalties';
import { statementRows } from '#shared/billing/statement';
import { accountLedger } from '#shared/billing/store';
import { config } from '#shared/config';
import { payByDate } from '#shared/epd/model';
import { submissionPeriod } from '#shared/readings/period';
import { addMonths, moscowDate, now, periodOf } from '#shared/time';
import type { WindowStatus } from '#shared/window/readingWindow';
import { cachedWindow } from '#shared/window/windowStore';

/**
 * The cabinet's first screen (GET /api/home): what the resident owes and by when, whether readings
 * are taken now, the last payment, the bills there are. Everything money-related is derived from
 * the ledger (one query of the account's partition, the session's BatchGet before it); the window
 * comes from the per-container cache, so the page costs two DynamoDB requests. Pure `homeView` does
 * the work, so the rules are unit-testable without a database.
 */

export interface BillSummary {
  period: string;
  /** Charged by the month's bill: charges, recalculations and пени written with it (kopecks). */
  charged: number;
  /** What the month closed at (the statement's closing; + owed, − overpaid). */
  closing: number;
  /** ЖК РФ ст. 155 ч. 1 (billing/penalties paymentDueDate). */
  dueDate: string;
}

export interface HomeView {
  balance: ReturnType<typeof sumLedger>;
  /** Owed now (kopecks ≥ 0): the balance when positive. */
  toPay: number;
  /** Paid ahead (kopecks ≥ 0): the balance when negative. */
  advance: number;
  /** Of `toPay`, what is owed on bills whose due date has passed. */
  overdue: number;
  /**
   * The day to pay `toPay` by: the latest bill's pay-by date as its ЕПД prints it (a bill formed after
   * its due date gives days from the day it is formed); null when nothing is owed.
   */
  payBy: string | null;
  /** The months that have a bill, newest first. */
  bills: BillSummary[];
  /** When the next bill is formed: the billing run of the closed month (the window's closing day). */
  nextBill: { period: string; on: string };
  window: {
    open: boolean;
    opensAt: string;
    closesAt: string;
    /** The month the readings are for. */
    period: string;
    /** Open: Moscow days left, today included; closed: days until it opens. */
    days: number;
  };
  lastPayment: { id: string; amount: number; paidAt: string } | null;
}

/** Moscow calendar days from `today` to the day of `instant` (an instant at 00:00 counts as the day before). */
function daysUntil(today: string, instant: string, lastDayOnly = false): number {
  const target = moscowDate(new Date(new Date(instant).getTime() - (lastDayOnly ? 1 : 0)));
  return Math.round((Date.parse(`${target}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / 86_400_000);
}

/** The day the bill of `period` is formed: the billing run on the window's closing day of the next month. */
function billingDay(period: string, closeDay: number): string {
  return `${addMonths(period, 1)}-${String(closeDay).padStart(2, '0')}`;
}

export function homeView(
  ledger: readonly LedgerEntry[],
  window: WindowStatus,
  at: Date,
  closeDay: number = config().windowCloseDay,
): HomeView {
  const today = moscowDate(at);
  const billed = [...new Set(ledger.filter((e) => e.kind === 'charge').map((e) => e.period))].sort();
  const first = billed[0];
  const last = billed.at(-1);
  const rows = first && last ? statementRows(ledger, first, last) : [];
  const bills = rows
    .filter((row) => billed.includes(row.period))
    .map((row) => ({
      period: row.period,
      charged: row.charged,
      closing: row.closing,
      dueDate: paymentDueDate(row.period),
    }))
    .reverse();

  const balance = sumLedger(ledger.flatMap((e) => e.lines));
  const toPay = Math.max(balance.total, 0);
  const overdue = Math.min(
    toPay,
    ledgerPosition(ledger)
      .debts.filter((debt) => debt.opening || paymentDueDate(debt.period) < today)
      .reduce((sum, debt) => sum + debt.amount, 0),
  );

  // The closed month's bill comes on its billing day; once that day has passed without one (an
  // account imported later), the current month's is next.
  const closed = addMonths(periodOf(at), -1);
  const closedPending = (last === undefined || last < closed) && today <= billingDay(closed, closeDay);
  const nextPeriod = closedPending ? closed : periodOf(at);

  const payments = ledger.filter((e): e is PaymentEntry => e.kind === 'payment');
  const latest = payments.reduce<PaymentEntry | undefined>((a, p) => (!a || p.paidAt > a.paidAt ? p : a), undefined);

  return {
    balance,
    toPay,
    advance: Math.max(-balance.total, 0),
    overdue,
    payBy: toPay > 0 && last ? payByDate(last, today) : null,
    bills,
    nextBill: { period: nextPeriod, on: billingDay(nextPeriod, closeDay) },
    window: {
      open: window.open,
      opensAt: window.opensAt,
      closesAt: window.closesAt,
      period: submissionPeriod(window),
      days: window.open ? daysUntil(today, window.closesAt, true) + 1 : Math.max(daysUntil(today, window.opensAt), 0),
    },
    lastPayment: latest
      ? { id: latest.id, amount: -latest.lines.reduce((sum, l) => sum + l.amount, 0), paidAt: latest.paidAt }
      : null,
  };
}

/** GET /api/home: the ledger in one query, the window from the container's cache. */
export async function homeOf(account: string): Promise<HomeView> {
  const [ledger, window] = await Promise.all([accountLedger(account), cachedWindow()]);
  return homeView(ledger, window, now());
}
