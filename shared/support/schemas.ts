import * as z from 'zod';
import { CaptchaAnswer, CaptchaId, Email, Phone } from '#shared/accounts/schemas';
import { AccountNumber } from '#shared/api/schemas';

/** Request and response shapes of support requests (tickets). */

export const SupportTopic = z.enum(['question', 'readings', 'payments', 'close_cabinet']).meta({
  description: 'question — вопрос; readings — показания; payments — оплата; close_cabinet — закрыть личный кабинет',
});

export const SupportRequest = z.object({
  account: AccountNumber.or(z.literal('')).optional(),
  name: z.string().trim().min(2, 'Укажите ФИО').max(200),
  address: z.string().trim().max(300).optional(),
  email: Email,
  phone: Phone.or(z.literal('')).optional(),
  topic: SupportTopic.default('question'),
  message: z.string().trim().min(5, 'Опишите вопрос').max(4000, 'Не длиннее 4000 символов'),
  captchaId: CaptchaId.optional(),
  captchaAnswer: CaptchaAnswer.optional(),
});

export const SupportTicket = z
  .object({
    id: z.string(),
    topic: SupportTopic,
    message: z.string(),
    status: z.enum(['new', 'in_progress', 'closed']),
    createdAt: z.string(),
  })
  .meta({ id: 'SupportTicket' });

export const SupportCreated = z.object({ id: z.string(), message: z.string() });
export const SupportList = z.object({ items: z.array(SupportTicket) });
