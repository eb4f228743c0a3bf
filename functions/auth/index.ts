import type { z } from 'zod';
import { changePassword, confirmRegistration, login, recover, register, resetPassword } from '#shared/accounts/auth';
import { createCaptcha } from '#shared/accounts/captcha';
import { passwordChangedMail } from '#shared/accounts/mails';
import type {
  ConfirmRequest,
  LoginRequest,
  PasswordChangeRequest,
  RecoverRequest,
  RegisterRequest,
  ResetRequest,
} from '#shared/accounts/schemas';
import { clearSessionCookie, endSession, readSession, requireSession } from '#shared/accounts/sessions';
import { sendMail } from '#shared/clients/mail';
import { type ApiRequest, httpApi } from '#shared/http/api';
import { groupEntry } from '#shared/http/entry';

const accepted = (message: string) => ({ body: { message } });

export const handler = groupEntry({
  http: httpApi(
    {
      'GET /api/captcha': async () => ({ body: await createCaptcha() }),
      'POST /api/auth/register': async ({ body }: ApiRequest<z.output<typeof RegisterRequest>>) => {
        await register(body);
        return accepted(`Письмо со ссылкой для установки пароля отправлено на ${body.email}.`);
      },
      'POST /api/auth/confirm': async ({ body }: ApiRequest<z.output<typeof ConfirmRequest>>) => {
        const { cookie, body: session } = await confirmRegistration(body.token, body.password);
        return { body: session, cookies: [cookie] };
      },
      'POST /api/auth/login': async ({ body }: ApiRequest<z.output<typeof LoginRequest>>) => {
        const { cookie, body: session } = await login(body);
        return { body: session, cookies: [cookie] };
      },
      'POST /api/auth/logout': async ({ event }) => {
        const session = await readSession(event);
        if (session) await endSession(session);
        return { cookies: [clearSessionCookie()] };
      },
      'POST /api/auth/recover': async ({ body }: ApiRequest<z.output<typeof RecoverRequest>>) => {
        await recover(body);
        return accepted(
          'Если номер лицевого счёта и e-mail совпали, мы отправили письмо со ссылкой для нового пароля.',
        );
      },
      'POST /api/auth/reset': async ({ body }: ApiRequest<z.output<typeof ResetRequest>>) => {
        const { cookie, body: session } = await resetPassword(body.token, body.password);
        return { body: session, cookies: [cookie] };
      },
      'POST /api/profile/password': async (request: ApiRequest<z.output<typeof PasswordChangeRequest>>) => {
        const { email, body } = await changePassword(
          { account: request.account, sessionId: request.sessionId },
          request.body,
        );
        await sendMail(passwordChangedMail(email, request.account));
        return { body };
      },
    },
    { authenticate: requireSession },
  ),
});
