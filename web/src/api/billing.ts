import type { z } from 'zod';
import type * as Schemas from '#shared/billing/schemas';
import { apiFetch } from './client';

/*
 * Charges, payments, the statement and tariffs: one function per route of shared/billing/routes.ts.
 * Types are the schemas' outputs, as types only (zod stays out of the bundle).
 */

export type Statement = z.infer<typeof Schemas.StatementResponse>;
export type StatementRow = Statement['rows'][number];
export type Charges = z.infer<typeof Schemas.ChargesResponse>;
export type ChargeDetail = Charges['periods'][number]['lines'][number];
export type PaymentsHistory = z.infer<typeof Schemas.PaymentsHistoryResponse>;
export type Tariffs = z.infer<typeof Schemas.TariffsResponse>;
export type TariffView = Tariffs['current'][number];

export interface PeriodRange {
  from: string;
  to: string;
}

/** Without a range: the 12 months up to the current one (`from`/`to` of the answer say which). */
export const getStatement = (range?: PeriodRange) =>
  apiFetch<Statement>('/api/statement', range ? { query: { ...range } } : {});

export const getCharges = (range: PeriodRange) => apiFetch<Charges>('/api/statement/charges', { query: { ...range } });

export const getPaymentsHistory = (range: PeriodRange) =>
  apiFetch<PaymentsHistory>('/api/statement/payments', { query: { ...range } });

/** The CSV of the statement: a plain link, so the browser downloads it with the session cookie. */
export function statementCsvHref(range: PeriodRange): string {
  return `/api/statement/csv?${new URLSearchParams({ from: range.from, to: range.to }).toString()}`;
}

export const getTariffs = () => apiFetch<Tariffs>('/api/tariffs');
