import { ADVANCE } from '#shared/billing/ledger';
import { chargesHistory, paymentsHistory, statementCsv, statementRows } from '#shared/billing/statement';
import { accountLedger, cachedTariffs } from '#shared/billing/store';
import { tariffsInForce } from '#shared/billing/tariffs';
import { isServiceId, PENALTY_SERVICE, serviceById } from '#shared/registry/services';
import { addMonths, now, periodOf } from '#shared/time';

/**
 * What the statement routes answer: the account's ledger read once (one query of its partition)
 * and shaped by the pure functions of shared/billing/statement.ts.
 */

export interface Range {
  from: string;
  to: string;
}

/**
 * Defaults: up to the current month (its payments show before it is billed), back 12 months but
 * not before the account's first ledger entry (`earliest`), so a new account is not a page of zeros.
 */
export function resolveRange(
  query: { from?: string | undefined; to?: string | undefined },
  at = now(),
  earliest?: string,
): Range {
  const to = query.to ?? (query.from && query.from > periodOf(at) ? query.from : periodOf(at));
  if (query.from) return { from: query.from, to };
  const yearBack = addMonths(to, -11);
  if (!earliest || earliest > to) return { from: to, to };
  return { from: earliest > yearBack ? earliest : yearBack, to };
}

type Query = { from?: string | undefined; to?: string | undefined };

/** The account's ledger and the range asked for, resolved against it. */
async function ledgerAndRange(account: string, query: Query) {
  const ledger = await accountLedger(account);
  const earliest = ledger.reduce<string | undefined>((min, e) => (!min || e.period < min ? e.period : min), undefined);
  return { ledger, range: resolveRange(query, now(), earliest) };
}

export function serviceTitle(service: string): string {
  if (service === ADVANCE) return 'Аванс (оплата вперёд)';
  if (service === PENALTY_SERVICE.id) return PENALTY_SERVICE.title;
  return isServiceId(service) ? serviceById(service).title : service;
}

export async function statementOf(account: string, query: Query) {
  const { ledger, range } = await ledgerAndRange(account, query);
  return { ...range, rows: statementRows(ledger, range.from, range.to) };
}

export async function statementCsvOf(account: string, query: Query): Promise<{ range: Range; csv: string }> {
  const { ledger, range } = await ledgerAndRange(account, query);
  return { range, csv: statementCsv(statementRows(ledger, range.from, range.to)) };
}

export async function chargesOf(account: string, query: Query) {
  const { ledger, range } = await ledgerAndRange(account, query);
  const periods = chargesHistory(ledger, range.from, range.to).map((p) => ({
    ...p,
    lines: p.lines.map((line) => ({ ...line, title: serviceTitle(line.service) })),
  }));
  return { ...range, periods };
}

export async function paymentsOf(account: string, query: Query) {
  const { ledger, range } = await ledgerAndRange(account, query);
  return { ...range, items: paymentsHistory(ledger, range.from, range.to) };
}

/** The public tariffs page: what is in force this month, and what the operator has announced. */
export async function publicTariffs(at = now()) {
  const period = periodOf(at);
  return { period, ...tariffsInForce(await cachedTariffs(), period) };
}
