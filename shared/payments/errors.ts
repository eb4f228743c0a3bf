import { DomainError } from '#shared/errors';

/** The payments feature's errors, with the messages residents and banks read. */
export const paymentErrors = {
  invalidAmount: (fields: Record<string, string>) =>
    new DomainError('invalid_amount', 422, 'Проверьте сумму оплаты.', fields),
  notFound: () => new DomainError('not_found', 404, 'Платёж не найден.'),
  acquirerUnavailable: () =>
    new DomainError(
      'acquirer_unavailable',
      503,
      'Банк сейчас не отвечает. Попробуйте оплатить через несколько минут — деньги не списаны.',
    ),
  acquirerRefused: () =>
    new DomainError(
      'acquirer_refused',
      502,
      'Банк не принял заказ на оплату. Попробуйте ещё раз позже или обратитесь в РАЦ — деньги не списаны.',
    ),
  noReceipt: () => new DomainError('no_receipt', 409, 'Квитанция появится, когда банк подтвердит оплату.'),
  // Bank-facing (callbacks and notifications): Russian too, one language for every error body.
  invalidSignature: () => new DomainError('invalid_signature', 403, 'Подпись запроса неверна или отсутствует.'),
  invalidCallback: () =>
    new DomainError(
      'invalid_callback',
      400,
      'Уведомление не разобрано: нужны mdOrder, orderNumber, operation, status.',
    ),
  orderMismatch: () =>
    new DomainError('order_mismatch', 409, 'Номер заказа в банке не совпадает с платежом; платёж не изменён.'),
  bankUnauthorized: () =>
    new DomainError('bank_unauthorized', 401, 'Банк не опознан: проверьте идентификатор банка и подпись запроса.'),
  accountNotFound: () => new DomainError('account_not_found', 404, 'Лицевой счёт не найден.'),
  transactionConflict: () =>
    new DomainError(
      'transaction_conflict',
      409,
      'Операция с этим номером уже получена с другим лицевым счётом или суммой; платёж не изменён.',
    ),
};
