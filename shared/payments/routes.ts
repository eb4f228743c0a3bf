import type { ErrorCode } from '#shared/errors';
import { GuestPaymentCreated, GuestPaymentRequest, GuestPaymentStatus } from '#shared/payments/guestSchemas';
import {
  BankCheckRequest,
  BankCheckResponse,
  BankPaymentRequest,
  BankPaymentResponse,
  CallbackAccepted,
  Payment,
  PaymentCreated,
  PaymentList,
  PaymentRequest,
  Receipt,
} from '#shared/payments/schemas';
import type { RouteDefinition } from '#shared/routes';

const callbackErrors: ErrorCode[] = [
  'invalid_callback',
  'invalid_signature',
  'not_found',
  'order_mismatch',
  'acquirer_unavailable',
];

const bankErrors: ErrorCode[] = ['bank_unauthorized', 'account_not_found'];

const callbackSummary =
  'Уведомление эквайера (Сбербанк): mdOrder, orderNumber, operation, status, amount, checksum — ' +
  'в строке запроса (GET) или в теле application/x-www-form-urlencoded (POST)';

/** Card payments, the acquirer's callback and banks' payments by account number: group `payments`. */
export const PAYMENT_ROUTES = [
  {
    method: 'POST',
    path: '/api/payments',
    group: 'payments',
    summary: 'Оплатить картой: заказ в банке и ссылка на страницу оплаты',
    tag: 'payments',
    auth: true,
    body: PaymentRequest,
    success: { status: 201, body: PaymentCreated },
    errors: ['invalid_amount', 'invalid_period', 'acquirer_refused', 'acquirer_unavailable'],
  },
  {
    method: 'GET',
    path: '/api/payments',
    group: 'payments',
    summary: 'Платежи жителя (картой и через банки) со способом и состоянием, новые первыми',
    tag: 'payments',
    auth: true,
    success: { status: 200, body: PaymentList },
  },
  {
    method: 'GET',
    path: '/api/payments/{id}',
    group: 'payments',
    summary: 'Состояние платежа',
    tag: 'payments',
    auth: true,
    success: { status: 200, body: Payment },
    errors: ['not_found'],
  },
  {
    method: 'GET',
    path: '/api/payments/{id}/receipt',
    group: 'payments',
    summary: 'Подтверждение оплаты для печати',
    tag: 'payments',
    auth: true,
    success: { status: 200, body: Receipt },
    errors: ['not_found', 'no_receipt'],
  },
  {
    method: 'GET',
    path: '/api/webhooks/sber',
    group: 'payments',
    summary: callbackSummary,
    tag: 'webhooks',
    auth: false,
    csrfExempt: true,
    rawBody: true,
    success: { status: 200, body: CallbackAccepted },
    errors: callbackErrors,
  },
  {
    method: 'POST',
    path: '/api/webhooks/sber',
    group: 'payments',
    summary: callbackSummary,
    tag: 'webhooks',
    auth: false,
    csrfExempt: true,
    rawBody: true,
    success: { status: 200, body: CallbackAccepted },
    errors: callbackErrors,
  },
  {
    method: 'POST',
    path: '/api/banks/{bank}/check',
    group: 'payments',
    summary: 'Для банка: проверка лицевого счёта перед оплатой (долг, счётчики). Подпись X-Rac-Signature',
    tag: 'banks',
    auth: false,
    csrfExempt: true,
    rawBody: true,
    body: BankCheckRequest,
    success: { status: 200, body: BankCheckResponse },
    errors: bankErrors,
  },
  {
    method: 'POST',
    path: '/api/banks/{bank}/payments',
    group: 'payments',
    summary: 'Для банка: платёж по номеру лицевого счёта (идемпотентно по transactionId). Подпись X-Rac-Signature',
    tag: 'banks',
    auth: false,
    csrfExempt: true,
    rawBody: true,
    body: BankPaymentRequest,
    success: { status: 200, body: BankPaymentResponse },
    errors: [...bankErrors, 'transaction_conflict'],
  },
  {
    method: 'POST',
    path: '/api/pay',
    group: 'payments',
    summary:
      'Без входа: оплата картой за любой лицевой счёт (номер, сумма, проверка «Я не робот», e-mail для квитанции) → ' +
      'владелец счёта (фамилия и инициалы) и ссылка на страницу оплаты банка',
    tag: 'payments',
    auth: false,
    body: GuestPaymentRequest,
    success: { status: 201, body: GuestPaymentCreated },
    errors: [
      'invalid_amount',
      'invalid_captcha',
      'account_not_found',
      'too_many_attempts',
      'acquirer_refused',
      'acquirer_unavailable',
    ],
    limit: 'credentials',
  },
  {
    method: 'GET',
    path: '/api/pay/{id}',
    group: 'payments',
    summary: 'Без входа: сумма и состояние платежа, начатого на странице оплаты без входа',
    tag: 'payments',
    auth: false,
    success: { status: 200, body: GuestPaymentStatus },
    errors: ['not_found'],
  },
] as const satisfies readonly RouteDefinition[];
