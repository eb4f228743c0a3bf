import { verifyCaptcha } from '#shared/accounts/captcha';
import { confirmEmailChange, requestEmailChange, undoEmailChange } from '#shared/accounts/emailChange';
import { me, profileOf, updateProfile } from '#shared/accounts/profile';
import { clearSessionCookie, readSession, requireResident, residentOf } from '#shared/accounts/sessions';
import { RESIDENTS_API } from '#shared/api/groups/residents';
import { httpApi } from '#shared/http/api';
import { groupEntry } from '#shared/http/entry';
import { newsFor } from '#shared/news/feed';
import { addResidentMessage, createTicket, ticketsOf } from '#shared/support/tickets';

export const handler = groupEntry({
  http: httpApi(
    RESIDENTS_API,
    {
      'GET /api/me': async ({ account, event }) => ({ body: await me(account, residentOf(event)) }),
      'GET /api/profile': async ({ account, event }) => ({ body: await profileOf(account, residentOf(event)) }),
      'PATCH /api/profile': async ({ account, body, event }) => ({
        body: await updateProfile(account, body, residentOf(event)),
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
      'GET /api/support': async ({ account, event }) => ({
        body: await ticketsOf(account, residentOf(event).cabinet),
      }),
      'POST /api/support/{id}/messages': async ({ account, params, body }) => ({
        body: await addResidentMessage(account, params.id ?? '', body.text),
      }),
      'GET /api/news': async ({ event, query }) => {
        // Public; a resident's session adds the news for their address.
        const session = await readSession(event);
        return { body: await newsFor(session?.account, query.limit) };
      },
    },
    { authenticate: requireResident },
  ),
});
