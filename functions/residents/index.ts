import type { z } from 'zod';
import { verifyCaptcha } from '#shared/accounts/captcha';
import {
  confirmEmailChange,
  createTicket,
  me,
  profileOf,
  requestEmailChange,
  ticketsOf,
  updateProfile,
} from '#shared/accounts/residents';
import type {
  EmailChangeRequest,
  EmailConfirmRequest,
  ProfileUpdateRequest,
  SupportRequest,
} from '#shared/accounts/schemas';
import { readSession, requireSession } from '#shared/accounts/sessions';
import { type ApiRequest, httpApi } from '#shared/http/api';
import { groupEntry } from '#shared/http/entry';

export const handler = groupEntry({
  http: httpApi(
    {
      'GET /api/me': async ({ account }) => ({ body: await me(account) }),
      'GET /api/profile': async ({ account }) => ({ body: await profileOf(account) }),
      'PATCH /api/profile': async ({ account, body }: ApiRequest<z.output<typeof ProfileUpdateRequest>>) => ({
        body: await updateProfile(account, body),
      }),
      'POST /api/profile/email': async ({ account, body }: ApiRequest<z.output<typeof EmailChangeRequest>>) => {
        await requestEmailChange(account, body.email);
        return { body: { message: `Ссылка для подтверждения отправлена на ${body.email}.` } };
      },
      'POST /api/profile/email/confirm': async ({ body }: ApiRequest<z.output<typeof EmailConfirmRequest>>) => {
        await confirmEmailChange(body.token);
        return { body: { message: 'Адрес электронной почты подтверждён.' } };
      },
      'POST /api/support': async ({ event, body }: ApiRequest<z.output<typeof SupportRequest>>) => {
        // Logged-in residents are known; anyone else proves to be a person first.
        const session = await readSession(event);
        if (!session) await verifyCaptcha(body.captchaId, body.captchaAnswer);
        return { body: await createTicket(body, session?.account) };
      },
      'GET /api/support': async ({ account }) => ({ body: await ticketsOf(account) }),
    },
    { authenticate: requireSession },
  ),
});
