import {
  ChargesResponse,
  PaymentsHistoryResponse,
  PeriodRange,
  StatementResponse,
  TariffsResponse,
} from '#shared/billing/schemas';
import type { RouteDefinition } from '#shared/routes';

/**
 * The resident's money pages (group `statement`, read-only). Payments' own routes (POST
 * /api/payments, GET /api/payments/{id}) belong to the payments feature; the history of payments
 * lives under /api/statement so it can never be taken for a payment id.
 */
export const BILLING_ROUTES = [
  {
    method: 'GET',
    path: '/api/statement',
    group: 'statement',
    summary: 'Начисления и платежи: входящее сальдо, начислено, оплачено, исходящее сальдо по месяцам',
    tag: 'billing',
    auth: true,
    query: PeriodRange,
    success: { status: 200, body: StatementResponse },
  },
  {
    method: 'GET',
    path: '/api/statement/csv',
    group: 'statement',
    summary: 'Выписка «Начисления и платежи» в CSV (UTF-8 с BOM, разделитель «;»)',
    tag: 'billing',
    auth: true,
    query: PeriodRange,
    success: { status: 200, contentType: 'text/csv' },
  },
  {
    method: 'GET',
    path: '/api/statement/charges',
    group: 'statement',
    summary: 'Начисления и перерасчёты по услугам за каждый месяц',
    tag: 'billing',
    auth: true,
    query: PeriodRange,
    success: { status: 200, body: ChargesResponse },
  },
  {
    method: 'GET',
    path: '/api/statement/payments',
    group: 'statement',
    summary: 'Поступившие платежи',
    tag: 'billing',
    auth: true,
    query: PeriodRange,
    success: { status: 200, body: PaymentsHistoryResponse },
  },
  {
    method: 'GET',
    path: '/api/tariffs',
    group: 'statement',
    summary: 'Действующие тарифы и нормативы по услугам',
    tag: 'billing',
    auth: false,
    limit: 'edge',
    success: { status: 200, body: TariffsResponse },
  },
] as const satisfies readonly RouteDefinition[];
