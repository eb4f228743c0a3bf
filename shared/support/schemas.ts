import * as z from 'zod/mini';
import { CaptchaAnswer, CaptchaId, Email, Phone } from '#shared/accounts/schemas';
import { lazySchema } from '#shared/api/lazySchema';
import { AccountNumber } from '#shared/api/schemas';

/** Request and response shapes of support requests (tickets). */

export const SupportTopic = /* @__PURE__ */ lazySchema(() =>
  z.enum(['question', 'readings', 'payments', 'close_cabinet']).check(
    z.meta({
      description: 'question — вопрос; readings — показания; payments — оплата; close_cabinet — закрыть личный кабинет',
    }),
  ),
);

export const SupportRequest = /* @__PURE__ */ lazySchema(() =>
  z.object({
    account: z.optional(z.union([AccountNumber, z.literal('')])),
    name: z.string().check(z.trim(), z.minLength(2, 'Укажите ФИО'), z.maxLength(200)),
    address: z.optional(z.string().check(z.trim(), z.maxLength(300))),
    email: Email,
    phone: z.optional(z.union([Phone, z.literal('')])),
    topic: z._default(SupportTopic, 'question'),
    message: z
      .string()
      .check(z.trim(), z.minLength(5, 'Опишите вопрос'), z.maxLength(4000, 'Не длиннее 4000 символов')),
    captchaId: z.optional(CaptchaId),
    captchaAnswer: z.optional(CaptchaAnswer),
  }),
);

export const SupportStatus = /* @__PURE__ */ lazySchema(() =>
  z.enum(['open', 'answered', 'closed']).check(
    z.meta({
      description: 'open — ждёт ответа РАЦ; answered — РАЦ ответил; closed — закрыто (новые сообщения не принимаются)',
    }),
  ),
);

export const SupportMessage = /* @__PURE__ */ lazySchema(() =>
  z
    .object({
      from: z.enum(['resident', 'centre']),
      text: z.string(),
      at: z.string().check(z.meta({ description: 'ISO 8601' })),
    })
    .check(z.meta({ id: 'SupportMessage' })),
);

export const SupportTicket = /* @__PURE__ */ lazySchema(() =>
  z
    .object({
      id: z
        .string()
        .check(z.meta({ description: 'Номер обращения: 7 цифр (у обращений до 2026-12 — вида 20261126-A1B2C3)' })),
      topic: SupportTopic,
      status: SupportStatus,
      createdAt: z.string(),
      messages: z.array(SupportMessage),
    })
    .check(z.meta({ id: 'SupportTicket' })),
);

/** A ticket's number in a path: 7 digits, or the earlier `YYYYMMDD-XXXXXX`. */
export const TICKET_NUMBER = /^(\d{7}|\d{8}-[0-9A-F]{6})$/;

export const SupportMessageRequest = /* @__PURE__ */ lazySchema(() =>
  z.object({
    text: z
      .string()
      .check(z.trim(), z.minLength(2, 'Напишите сообщение'), z.maxLength(4000, 'Не длиннее 4000 символов')),
  }),
);

export const SupportCreated = /* @__PURE__ */ lazySchema(() => z.object({ id: z.string(), message: z.string() }));
export const SupportList = /* @__PURE__ */ lazySchema(() => z.object({ items: z.array(SupportTicket) }));
