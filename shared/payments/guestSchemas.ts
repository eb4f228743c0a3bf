import * as z from 'zod/mini';
import { CaptchaAnswer, CaptchaId, Email } from '#shared/accounts/schemas';
import { lazySchema } from '#shared/api/lazySchema';
import { AccountNumber, Kopecks } from '#shared/api/schemas';
import { PaymentAmount } from '#shared/payments/schemas';

/** Requests and responses of paying for any account without login (`/api/pay`, shared/payments/guest.ts). */

/** The amount is checked by the domain (validatePaymentRequest), as on the resident's form: 422 `invalid_amount`. */
export const GuestPaymentRequest = /* @__PURE__ */ lazySchema(() =>
  z
    .object({
      account: AccountNumber,
      amount: PaymentAmount,
      captchaId: CaptchaId,
      captchaAnswer: CaptchaAnswer,
      email: z.optional(Email).check(
        z.meta({
          description: 'Необязательно: адрес для квитанции об оплате (одно письмо после подтверждения банка)',
          example: 'ivanova@mail.ru',
        }),
      ),
    })
    .check(z.meta({ id: 'GuestPaymentRequest', required: ['account', 'amount', 'captchaId', 'captchaAnswer'] })),
);

export const GuestPaymentCreated = /* @__PURE__ */ lazySchema(() =>
  z
    .object({
      id: z.string(),
      paymentUrl: z.url().check(z.meta({ description: 'Страница оплаты банка; несёт номер заказа банка (mdOrder)' })),
      payer: z.string().check(
        z.meta({
          description: 'Владелец лицевого счёта: фамилия и инициалы («Иванова М. П.») — для проверки номера счёта',
          example: 'Иванова М. П.',
        }),
      ),
      amount: Kopecks,
    })
    .check(z.meta({ id: 'GuestPaymentCreated' })),
);

export const GuestPaymentStatus = /* @__PURE__ */ lazySchema(() =>
  z
    .object({
      id: z.string(),
      amount: Kopecks,
      status: z.enum(['pending', 'succeeded', 'failed']),
    })
    .check(z.meta({ id: 'GuestPaymentStatus' })),
);
