import * as z from 'zod/mini';
import { lazySchema } from '#shared/api/lazySchema';
import { Kopecks, Period } from '#shared/api/schemas';
import { CHARGE_METHODS } from '#shared/billing/ledger';
import { addMonths, now, periodOf } from '#shared/time';

/** Requests and responses of the statement routes (shared/billing/routes.ts). */

/** The longest range one request may ask for: 10 years, 120 rows. */
export const MAX_RANGE_MONTHS = 120;

/**
 * The first year a query may name. Nothing was billed here before it, and the month arithmetic
 * needs four-digit years: `0000-01` minus a month is no period at all.
 */
export const FIRST_QUERY_YEAR = 2000;

const QUERY_PERIOD = /^(2\d{3})-(0[1-9]|1[0-2])$/;

/** A month in a query: `YYYY-MM`, years 2000–2999. */
export const QueryPeriod = /* @__PURE__ */ lazySchema(() =>
  z
    .string()
    .check(
      z.regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'Период в формате ГГГГ-ММ'),
      z.regex(QUERY_PERIOD, `Период не раньше ${FIRST_QUERY_YEAR} года`),
      z.meta({ description: 'Расчётный период ГГГГ-ММ (Europe/Moscow), не раньше 2000 года', example: '2026-10' }),
    ),
);

function monthsBetween(from: string, to: string): number {
  const [fy, fm] = from.split('-').map(Number) as [number, number];
  const [ty, tm] = to.split('-').map(Number) as [number, number];
  return (ty - fy) * 12 + (tm - fm);
}

type RangeQuery = { from?: string | undefined; to?: string | undefined };

/** A query schema with both ends, mini or classic: both return a schema of their own kind from `check`. */
type RangeSchema<S> = z.core.$ZodType<RangeQuery> & { check(...checks: Array<z.core.$ZodCheck<RangeQuery>>): S };

/**
 * Checks a range as the handler will read it, after its defaults (`resolve`): `?from=2000-01` alone
 * is 2000-01 up to this month, and that must fit the limit as much as an explicit `to` must.
 */
export function rangeWithinLimits<S extends RangeSchema<S>>(
  schema: S,
  resolve: (query: { from?: string; to?: string }) => { from: string; to: string },
): S {
  return schema.check(
    z.superRefine<RangeQuery>((query, ctx) => {
      // Malformed ends have their own issues already; the defaults are computed only from good ones.
      const well = (p: string | undefined) => p === undefined || QUERY_PERIOD.test(p);
      if (!well(query.from) || !well(query.to)) return;
      const { from, to } = resolve({
        ...(query.from ? { from: query.from } : {}),
        ...(query.to ? { to: query.to } : {}),
      });
      if (from > to) {
        ctx.addIssue({ code: 'custom', message: 'Начало периода должно быть не позже конца', path: ['from'] });
      } else if (monthsBetween(from, to) >= MAX_RANGE_MONTHS) {
        ctx.addIssue({ code: 'custom', message: `Не больше ${MAX_RANGE_MONTHS / 12} лет за один раз`, path: ['from'] });
      }
    }),
  );
}

/**
 * The statement's defaults (shared/billing/views.ts `resolveRange`, at its widest): `to` is this
 * month, or `from` when that is later; `from` is 11 months before `to`.
 */
export function statementRange(query: { from?: string; to?: string }, at = now()): { from: string; to: string } {
  const current = periodOf(at);
  const to = query.to ?? (query.from && query.from > current ? query.from : current);
  return { from: query.from ?? addMonths(to, -11), to };
}

/** The resident's period filter; both ends optional (defaults: the last 12 months). */
export const PeriodRange = /* @__PURE__ */ lazySchema(() =>
  rangeWithinLimits(
    z.object({
      from: z
        .optional(QueryPeriod)
        .check(z.meta({ description: 'Первый месяц, ГГГГ-ММ (по умолчанию — 11 месяцев до `to`)' })),
      to: z
        .optional(QueryPeriod)
        .check(z.meta({ description: 'Последний месяц, ГГГГ-ММ (по умолчанию — текущий месяц)' })),
    }),
    (query) => statementRange(query),
  ),
);

export const StatementRow = /* @__PURE__ */ lazySchema(() =>
  z
    .object({
      period: Period,
      opening: Kopecks.check(z.meta({ description: 'Входящее сальдо: + долг, − переплата' })),
      charged: Kopecks.check(z.meta({ description: 'Начислено за месяц, с перерасчётами' })),
      paid: Kopecks.check(z.meta({ description: 'Оплачено в месяце' })),
      closing: Kopecks.check(z.meta({ description: 'Исходящее сальдо = входящее + начислено − оплачено' })),
      penalty: z.optional(Kopecks).check(z.meta({ description: 'В т.ч. пени (ЖК РФ ст. 155 ч. 14), если они есть' })),
    })
    .check(z.meta({ id: 'StatementRow' })),
);

export const StatementResponse = /* @__PURE__ */ lazySchema(() =>
  z.object({ from: Period, to: Period, rows: z.array(StatementRow) }).check(z.meta({ id: 'Statement' })),
);

const Service = /* @__PURE__ */ lazySchema(() =>
  z.string().check(z.meta({ description: 'Услуга (shared/registry/services.ts) или advance — аванс' })),
);

export const ChargeDetail = /* @__PURE__ */ lazySchema(() =>
  z
    .object({
      kind: z.enum(['charge', 'recalc']).check(z.meta({ description: 'Начисление или перерасчёт' })),
      service: Service,
      title: z.string(),
      volume: z.string().check(z.meta({ description: 'Объём, десятичная строка' })),
      unit: z.string(),
      method: z.enum([...CHARGE_METHODS, 'penalty']).check(
        z.meta({
          description:
            'Как определён объём: meter — по счётчику, average — по среднему, norm — по нормативу, ' +
            'area — по площади, residents — по числу проживающих; penalty — пени (ЖК РФ ст. 155 ч. 14), ' +
            'без объёма и тарифа (volume, unit, price пустые)',
        }),
      ),
      price: z.string().check(z.meta({ description: 'Тариф, руб. за единицу' })),
      coefficient: z.optional(z.string()).check(z.meta({ description: 'Повышающий коэффициент (ПП РФ № 354)' })),
      amount: Kopecks,
      forPeriod: z.optional(Period).check(z.meta({ description: 'Перерасчёт: за какой месяц' })),
      penalty: z
        .optional(
          z.object({
            overdue: Kopecks.check(z.meta({ description: 'Долг, просроченный более 30 дней, на конец месяца' })),
            rate: z
              .string()
              .check(z.meta({ description: 'Применённая ставка, % годовых (ключевая, не выше 9,5 % до 2027 г.)' })),
            accrued: Kopecks.check(z.meta({ description: 'Пени, накопленные по всем квитанциям на конец месяца' })),
            bills: z.array(
              z.object({
                forPeriod: Period.check(
                  z.meta({ description: 'Квитанция, оплаченная с опозданием или не оплаченная' }),
                ),
                dueDate: z.string().check(z.meta({ description: 'Срок оплаты, ГГГГ-ММ-ДД' })),
                overdue: Kopecks.check(z.meta({ description: 'Не оплачено на конец месяца' })),
                accrued: Kopecks.check(z.meta({ description: 'Пени по этой квитанции на конец месяца' })),
              }),
            ),
          }),
        )
        .check(z.meta({ description: 'Только у строки пеней: на какой долг и по какой ставке они начислены' })),
    })
    .check(z.meta({ id: 'ChargeDetail' })),
);

export const ChargesResponse = /* @__PURE__ */ lazySchema(() =>
  z
    .object({
      from: Period,
      to: Period,
      periods: z.array(z.object({ period: Period, total: Kopecks, lines: z.array(ChargeDetail) })),
    })
    .check(z.meta({ id: 'Charges' })),
);

export const PaymentsHistoryResponse = /* @__PURE__ */ lazySchema(() =>
  z
    .object({
      from: Period,
      to: Period,
      items: z.array(
        z.object({
          id: z.string(),
          period: Period,
          paidAt: z.string().check(z.meta({ description: 'Дата и время поступления, ISO 8601' })),
          amount: Kopecks.check(z.meta({ description: 'Сумма платежа (положительная)' })),
          source: z.string(),
          services: z.array(z.object({ service: Service, amount: Kopecks })),
        }),
      ),
    })
    .check(z.meta({ id: 'PaymentsHistory' })),
);

export const TariffView = /* @__PURE__ */ lazySchema(() =>
  z
    .object({
      service: z.string(),
      title: z.string(),
      basis: z.enum(['metered', 'area', 'resident']),
      unit: z.string(),
      price: z.string().check(z.meta({ description: 'Руб. за единицу, десятичная строка' })),
      norm: z.string().check(z.meta({ description: 'Норматив: на человека в месяц (на м² для услуг по площади)' })),
      coefficient: z.optional(z.string()),
      from: Period,
      until: z.nullable(Period).check(z.meta({ description: 'Последний месяц действия; null — до изменения' })),
    })
    .check(z.meta({ id: 'Tariff' })),
);

export const TariffsResponse = /* @__PURE__ */ lazySchema(() =>
  z
    .object({
      period: Period.check(z.meta({ description: 'Месяц, на который показаны действующие тарифы' })),
      current: z.array(TariffView),
      upcoming: z.array(TariffView),
    })
    .check(z.meta({ id: 'Tariffs' })),
);
