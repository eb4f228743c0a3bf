import { verifyCaptcha } from '#shared/accounts/captcha';
import { confirmEmailChange, requestEmailChange, undoEmailChange } from '#shared/accounts/emailChange';
import { me, profileOf, updateProfile } from '#shared/accounts/profile';
import { clearSessionCookie, readSession, requireSession } from '#shared/accounts/sessions';
import { httpApi } from '#shared/http/api';
import { groupEntry } from '#shared/http/entry';
import { createTicket, ticketsOf } from '#shared/support/tickets';

export const handler = groupEntry({
  http: httpApi(
    'residents',
    {
      'GET /api/me': async ({ account }) => ({ body: await me(account) }),
      'GET /api/profile': async ({ account }) => ({ body: await profileOf(account) }),
      'PATCH /api/profile': async ({ account, body }) => ({
        body: await updateProfile(account, body),
      }),
      'POST /api/profile/email': async ({ account, body }) => {
        await requestEmailChange(account, body.email, body.currentPassword);
        return {
          body: {
            message: `Ссылка для подтверждения отправлена на ${body.email}. На прежний адрес отправлено уведомление.`,
          },
        };
      },
      'POST /api/profile/email/confirm': async ({ body }) => {
        await confirmEmailChange(body.token);
        return { body: { message: 'Адрес электронной почты подтверждён.' } };
      },
      'POST /api/profile/email/undo': async ({ body }) => {
        await undoEmailChange(body.token);
        return {
          body: { message: 'Смена адреса отменена: адрес прежний, все сеансы входа завершены.' },
          cookies: [clearSessionCookie()],
        };
      },
      'POST /api/support': async ({ event, body }) => {
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
