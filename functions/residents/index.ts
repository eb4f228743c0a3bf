import { verifyCaptcha } from '#shared/accounts/captcha';
import { confirmEmailChange, requestEmailChange, undoEmailChange } from '#shared/accounts/emailChange';
import { homeOf } from '#shared/accounts/home';
import { accountsOf, linkAccount, switchAccount, unlinkAccount } from '#shared/accounts/links';
import { AccountPathParams } from '#shared/accounts/linksSchemas';
import { confirmPhone, removePhone, requestPhoneConfirmation } from '#shared/accounts/phone';
import { me, profileOf, updateProfile } from '#shared/accounts/profile';
import { clearSessionCookie, readSession, requireResident, residentOf } from '#shared/accounts/sessions';
import { RESIDENTS_API } from '#shared/api/groups/residents';
import { httpApi, parseOrThrow } from '#shared/http/api';
import { groupEntry } from '#shared/http/entry';
import { newsFor } from '#shared/news/feed';
import { addResidentMessage, createTicket, ticketsOf } from '#shared/support/tickets';

export const handler = groupEntry({
  http: httpApi(
    RESIDENTS_API,
    {
      // The account's data pages act on the current account (a linked one after switching); the
      // login's own pages (profile, e-mail, support) on the cabinet's `account`.
      'GET /api/me': async ({ current, event }) => ({ body: await me(current, residentOf(event)) }),
      'GET /api/home': async ({ current }) => ({ body: await homeOf(current) }),
      'GET /api/profile': async ({ account, event }) => ({ body: await profileOf(account, residentOf(event)) }),
      'PATCH /api/profile': async ({ account, body, event }) => ({
        body: await updateProfile(account, body, residentOf(event)),
      }),
      'POST /api/profile/phone': async ({ account, body, event }) => {
        const { phone } = await requestPhoneConfirmation(account, body, residentOf(event));
        return { body: { phone, message: `Код подтверждения отправлен в SMS на номер ${phone}.` } };
      },
      'POST /api/profile/phone/confirm': async ({ account, body, event }) => {
        const { phone } = await confirmPhone(account, body.code, residentOf(event));
        return { body: { phone, message: `Телефон ${phone} подтверждён.` } };
      },
      'DELETE /api/profile/phone': async ({ account, body, event }) => {
        await removePhone(account, body.currentPassword, residentOf(event));
        return {};
      },
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
        return { body: await newsFor(session?.current, query.limit) };
      },
      'GET /api/accounts': async ({ account, current, event }) => ({
        body: await accountsOf(account, current, residentOf(event).record),
      }),
      'POST /api/accounts': async ({ account, body, event }) => ({
        body: await linkAccount(account, residentOf(event).cabinet, body),
      }),
      'POST /api/accounts/current': async ({ account, sessionId, body, event }) => ({
        body: await switchAccount(account, sessionId, body.account, residentOf(event).record),
      }),
      'DELETE /api/accounts/{account}': async ({ account, params }) => {
        await unlinkAccount(account, parseOrThrow(AccountPathParams, params).account);
        return {};
      },
    },
    { authenticate: requireResident },
  ),
});
