import { DomainError } from '#shared/errors';

/** The ЕПД feature's errors, with the messages residents read. */
export const epdErrors = {
  noBill: () =>
    new DomainError(
      'no_bill',
      404,
      'За этот период квитанция не сформирована: начислений за выбранный месяц нет. ' +
        'Квитанция за прошедший месяц появляется в начале следующего месяца.',
    ),
};
