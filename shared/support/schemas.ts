import * as z from 'zod';
import { CaptchaAnswer, CaptchaId, Email, Phone } from '#shared/accounts/schemas';
import { lazySchema } from '#shared/api/lazySchema';
import { AccountNumber } from '#shared/api/schemas';

/** Request and response shapes of support requests (tickets). */

export const SupportTopic = lazySchema(() =>
  z.enum(['question', 'readings', 'payments', 'close_cabinet']).meta({
    description: 'question — вопрос; readings — показания; payments — оплата; close_cabinet — закрыть личный кабинет',
  }),
);

export const SupportRequest = lazySchema(() =>
  z.object({
    account: AccountNumber.or(z.literal('')).optional(),
    name: z.string().trim().min(2, 'Укажите ФИО').max(200),
    address: z.string().trim().max(300).optional(),
    email: Email,
    phone: Phone.or(z.literal('')).optional(),
    topic: SupportTopic.default('question'),
    message: z.string().trim().min(5, 'Опишите вопрос').max(4000, 'Не длиннее 4000 символов'),
    captchaId: CaptchaId.optional(),
    captchaAnswer: CaptchaAnswer.optional(),
  }),
);

export const SupportStatus = lazySchema(() =>
  z.enum(['open', 'answered', 'closed']).meta({
    description: 'open — ждёт ответа РАЦ; answered — РАЦ ответил; closed — закрыто (новые сообщения не принимаются)',
  }),
);

export const SupportMessage = lazySchema(() =>
  z
    .object({
      from: z.enum(['resident', 'centre']),
      text: z.string(),
      at: z.string().meta({ description: 'ISO 8601' }),
    })
    .meta({ id: 'SupportMessage' }),
);

export const SupportTicket = lazySchema(() =>
  z
    .object({
      id: z.string().meta({ description: 'Номер обращения: 7 цифр (у обращений до 2026-12 — вида 20261126-A1B2C3)' }),
      topic: SupportTopic,
      status: SupportStatus,
      createdAt: z.string(),
      messages: z.array(SupportMessage),
    })
    .meta({ id: 'SupportTicket' }),
);

/** A ticket's number in a path: 7 digits, or the earlier `YYYYMMDD-XXXXXX`. */
export const TICKET_NUMBER = /^(\d{7}|\d{8}-[0-9A-F]{6})$/;

export const SupportMessageRequest = lazySchema(() =>
  z.object({
    text: z.string().trim().min(2, 'Напишите сообщение').max(4000, 'Не длиннее 4000 символов'),
  }),
);

export const SupportCreated = lazySchema(() => z.object({ id: z.string(), message: z.string() }));
export const SupportList = lazySchema(() => z.object({ items: z.array(SupportTicket) }));
