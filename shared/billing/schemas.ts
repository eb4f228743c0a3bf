import * as z from 'zod';
import { Kopecks, Period } from '#shared/api/schemas';
import { CHARGE_METHODS } from '#shared/billing/ledger';

/** Requests and responses of the statement routes (shared/billing/routes.ts). */

/** The longest range one request may ask for: 10 years, 120 rows. */
export const MAX_RANGE_MONTHS = 120;

function monthsBetween(from: string, to: string): number {
  const [fy, fm] = from.split('-').map(Number) as [number, number];
  const [ty, tm] = to.split('-').map(Number) as [number, number];
  return (ty - fy) * 12 + (tm - fm);
}

/** The resident's period filter; both ends optional (defaults: the last 12 closed months). */
export const PeriodRange = z
  .object({
    from: Period.optional().meta({ description: 'Первый месяц, ГГГГ-ММ (по умолчанию — 11 месяцев до `to`)' }),
    to: Period.optional().meta({ description: 'Последний месяц, ГГГГ-ММ (по умолчанию — прошлый месяц)' }),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, {
    message: 'Начало периода должно быть не позже конца',
    path: ['from'],
  })
  .refine((q) => !q.from || !q.to || monthsBetween(q.from, q.to) < MAX_RANGE_MONTHS, {
    message: `Не больше ${MAX_RANGE_MONTHS / 12} лет за один раз`,
    path: ['from'],
  });

export const StatementRow = z
  .object({
    period: Period,
    opening: Kopecks.meta({ description: 'Входящее сальдо: + долг, − переплата' }),
    charged: Kopecks.meta({ description: 'Начислено за месяц, с перерасчётами' }),
    paid: Kopecks.meta({ description: 'Оплачено в месяце' }),
    closing: Kopecks.meta({ description: 'Исходящее сальдо = входящее + начислено − оплачено' }),
  })
  .meta({ id: 'StatementRow' });

export const StatementResponse = z
  .object({ from: Period, to: Period, rows: z.array(StatementRow) })
  .meta({ id: 'Statement' });

const Service = z.string().meta({ description: 'Услуга (shared/registry/services.ts) или advance — аванс' });

export const ChargeDetail = z
  .object({
    kind: z.enum(['charge', 'recalc']).meta({ description: 'Начисление или перерасчёт' }),
    service: Service,
    title: z.string(),
    volume: z.string().meta({ description: 'Объём, десятичная строка' }),
    unit: z.string(),
    method: z.enum(CHARGE_METHODS).meta({
      description:
        'Как определён объём: meter — по счётчику, average — по среднему, norm — по нормативу, ' +
        'area — по площади, residents — по числу проживающих',
    }),
    price: z.string().meta({ description: 'Тариф, руб. за единицу' }),
    coefficient: z.string().optional().meta({ description: 'Повышающий коэффициент (ПП РФ № 354)' }),
    amount: Kopecks,
    forPeriod: Period.optional().meta({ description: 'Перерасчёт: за какой месяц' }),
  })
  .meta({ id: 'ChargeDetail' });

export const ChargesResponse = z
  .object({
    from: Period,
    to: Period,
    periods: z.array(z.object({ period: Period, total: Kopecks, lines: z.array(ChargeDetail) })),
  })
  .meta({ id: 'Charges' });

export const PaymentsHistoryResponse = z
  .object({
    from: Period,
    to: Period,
    items: z.array(
      z.object({
        id: z.string(),
        period: Period,
        paidAt: z.string().meta({ description: 'Дата и время поступления, ISO 8601' }),
        amount: Kopecks.meta({ description: 'Сумма платежа (положительная)' }),
        source: z.string(),
        services: z.array(z.object({ service: Service, amount: Kopecks })),
      }),
    ),
  })
  .meta({ id: 'PaymentsHistory' });

export const TariffView = z
  .object({
    service: z.string(),
    title: z.string(),
    basis: z.enum(['metered', 'area', 'resident']),
    unit: z.string(),
    price: z.string().meta({ description: 'Руб. за единицу, десятичная строка' }),
    norm: z.string().meta({ description: 'Норматив: на человека в месяц (на м² для услуг по площади)' }),
    coefficient: z.string().optional(),
    from: Period,
    until: Period.nullable().meta({ description: 'Последний месяц действия; null — до изменения' }),
  })
  .meta({ id: 'Tariff' });

export const TariffsResponse = z
  .object({
    period: Period.meta({ description: 'Месяц, на который показаны действующие тарифы' }),
    current: z.array(TariffView),
    upcoming: z.array(TariffView),
  })
  .meta({ id: 'Tariffs' });
