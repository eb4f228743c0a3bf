import * as z from 'zod/mini';
import { lazySchema } from '#shared/api/lazySchema';
import { AccountNumber, Kopecks } from '#shared/api/schemas';
import { PAID_PERIOD } from '#shared/billing/allocation';
import { MAX_PAYMENT_KOPECKS, PAYMENT_STATUSES } from '#shared/payments/model';

/** Requests and responses of the payment routes (shared/payments/routes.ts). */

/** An amount to pay, documented; the domain checks it (validatePaymentRequest: 422 `invalid_amount`). */
export const PaymentAmount = /* @__PURE__ */ lazySchema(() =>
  z.optional(z.unknown()).check(
    z.meta({
      type: 'integer',
      minimum: 1,
      maximum: MAX_PAYMENT_KOPECKS,
      description: 'Сумма к оплате, копейки',
      example: 254_300,
    }),
  ),
);

/**
 * The schema documents the request; the amount and the split are checked by the domain
 * (validatePaymentRequest) so that every problem with them is one 422 `invalid_amount`.
 */
export const PaymentRequest = /* @__PURE__ */ lazySchema(() =>
  z
    .object({
      amount: PaymentAmount,
      services: z.optional(z.unknown()).check(
        z.meta({
          type: 'array',
          description: 'Необязательная разбивка по услугам; суммы по услугам в сумме дают amount',
          items: {
            type: 'object',
            required: ['service', 'amount'],
            properties: { service: { type: 'string' }, amount: { type: 'integer', minimum: 1 } },
          },
        }),
      ),
      period: z.optional(z.unknown()).check(
        z.meta({
          type: 'string',
          pattern: '^\\d{4}-(0[1-9]|1[0-2])$',
          description:
            '«Оплатить эту квитанцию»: месяц квитанции ГГГГ-ММ. Оплата идёт сначала на услуги этой квитанции ' +
            'пропорционально их суммам, остаток — на более ранние долги, затем в аванс',
          example: '2026-10',
        }),
      ),
    })
    .check(z.meta({ id: 'PaymentRequest', required: ['amount'] })),
);

export const PaymentCreated = /* @__PURE__ */ lazySchema(() =>
  z
    .object({
      id: z.string(),
      status: z.literal('pending'),
      paymentUrl: z.url().check(z.meta({ description: 'Страница оплаты банка; несёт номер заказа банка (mdOrder)' })),
      amount: Kopecks,
    })
    .check(z.meta({ id: 'PaymentCreated' })),
);

const ServiceAmount = /* @__PURE__ */ lazySchema(() =>
  z.object({ service: z.string(), title: z.string(), amount: Kopecks }),
);

export const Payment = /* @__PURE__ */ lazySchema(() =>
  z
    .object({
      id: z.string(),
      amount: Kopecks,
      status: z.enum(['pending', 'succeeded', 'failed']),
      state: z.enum(PAYMENT_STATUSES).check(
        z.meta({
          description:
            'Точное состояние: created, pending — ждёт оплаты; succeeded — зачислен; failed — отклонён; ' +
            'expired — время на оплату истекло; refunded — деньги возвращены; review — проверяется',
        }),
      ),
      statusText: z.string(),
      channel: z
        .enum(['card', 'bank'])
        .check(z.meta({ description: 'card — картой на сайте; bank — в банке по номеру счёта' })),
      channelText: z.string(),
      createdAt: z.iso.datetime(),
      paidAt: z.nullable(z.iso.datetime()),
      services: z.array(ServiceAmount),
      paymentUrl: z.nullable(z.url()).check(z.meta({ description: 'Страница оплаты, пока платёж ждёт оплаты' })),
    })
    .check(z.meta({ id: 'Payment' })),
);

export const PaymentList = /* @__PURE__ */ lazySchema(() =>
  z.object({ items: z.array(Payment) }).check(z.meta({ id: 'PaymentList' })),
);

export const Receipt = /* @__PURE__ */ lazySchema(() =>
  z
    .object({
      id: z.string(),
      amount: Kopecks,
      paidAt: z.iso.datetime(),
      channel: z.enum(['card', 'bank']),
      channelText: z.string(),
      services: z.array(ServiceAmount),
      payee: z.object({
        name: z.string(),
        address: z.string(),
        inn: z.string(),
        kpp: z.string(),
        bankName: z.string(),
        bic: z.string(),
        correspondentAccount: z.string(),
        settlementAccount: z.string(),
      }),
      payer: z.object({ account: AccountNumber, owner: z.string(), address: z.string() }),
      periods: z.array(z.string()).check(
        z.meta({
          description: 'Оплаченные периоды (ГГГГ-ММ): квитанции, в счёт которых зачислен платёж; пусто — аванс',
        }),
      ),
      reference: z.nullable(z.string()).check(z.meta({ description: 'Номер заказа в банке или номер операции банка' })),
    })
    .check(z.meta({ id: 'PaymentReceipt' })),
);

export const CallbackAccepted = /* @__PURE__ */ lazySchema(() =>
  z.object({ status: z.enum(['pending', 'succeeded', 'failed']) }),
);

export const BankCheckRequest = /* @__PURE__ */ lazySchema(() =>
  z.object({ account: AccountNumber }).check(z.meta({ id: 'BankCheckRequest' })),
);

export const BankCheckResponse = /* @__PURE__ */ lazySchema(() =>
  z
    .object({
      account: AccountNumber,
      payer: z.string().check(z.meta({ description: 'Фамилия и инициалы владельца' })),
      address: z.string(),
      debt: Kopecks.check(z.meta({ description: 'Сумма к оплате (долг), 0 — долга нет' })),
      balance: Kopecks.check(z.meta({ description: '+ долг, − переплата' })),
      services: z.array(z.object({ service: z.string(), title: z.string(), balance: Kopecks })),
      meters: z.array(
        z.object({
          id: z.string(),
          serial: z.string(),
          service: z.string(),
          title: z.string(),
          lastReading: z.nullable(z.string()),
        }),
      ),
    })
    .check(z.meta({ id: 'BankCheckResponse' })),
);

export const BankPaymentRequest = /* @__PURE__ */ lazySchema(() =>
  z
    .object({
      transactionId: z
        .string()
        .check(
          z.regex(/^[A-Za-z0-9._:/-]{1,64}$/, 'Номер операции банка: до 64 символов A-Z, 0-9, . _ : / -'),
          z.meta({ description: 'Уникальный номер операции в банке (тот же — в ежедневном реестре)' }),
        ),
      account: AccountNumber,
      amount: z
        .number()
        .check(
          z.int('Сумма — целое число копеек'),
          z.gte(1, 'Сумма больше нуля'),
          z.lte(MAX_PAYMENT_KOPECKS, 'Сумма не больше 500 000 ₽'),
        ),
      paidAt: z.iso.datetime({ offset: true, message: 'Время платежа ISO 8601 с часовым поясом' }),
      period: z
        .optional(
          z
            .string()
            .check(
              z.regex(
                PAID_PERIOD,
                'Период — ГГГГ-ММ или ММГГГГ (как PaymPeriod в QR-коде), например 2026-10 или 102026',
              ),
            ),
        )
        .check(
          z.meta({
            description:
              'Оплачиваемый месяц квитанции, если плательщик его указал (PaymPeriod из QR-кода): оплата идёт ' +
              'сначала на эту квитанцию, остаток — на более ранние долги, затем в аванс',
            example: '102026',
          }),
        ),
      readings: z.optional(
        z
          .array(
            z.object({
              meter: z
                .string()
                .check(
                  z.minLength(1),
                  z.maxLength(64),
                  z.meta({ description: 'Заводской номер счётчика или его id из проверки' }),
                ),
              value: z.string().check(z.regex(/^\d{1,9}([.,]\d{1,3})?$/, 'Показание — число, например 123,456')),
            }),
          )
          .check(z.maxLength(20)),
      ),
    })
    .check(z.meta({ id: 'BankPaymentRequest' })),
);

export const BankPaymentResponse = /* @__PURE__ */ lazySchema(() =>
  z
    .object({
      id: z.string(),
      status: z.literal('succeeded'),
      duplicate: z.boolean().check(z.meta({ description: 'true — операция уже была получена; повторно не зачислена' })),
      readings: z.nullable(
        z.object({
          accepted: z.boolean(),
          code: z.optional(z.string()),
          message: z.optional(z.string()),
          period: z.optional(z.string()),
        }),
      ),
    })
    .check(z.meta({ id: 'BankPaymentResponse' })),
);
