import { createCaptcha } from '#shared/accounts/captcha';
import { login } from '#shared/accounts/login';
import { loginWithCode } from '#shared/accounts/loginCode';
import { changePassword } from '#shared/accounts/passwordChange';
import { recover, resetPassword } from '#shared/accounts/recovery';
import { confirmRegistration, register } from '#shared/accounts/registration';
import { clearSessionCookie, endSession, readSession, requireSession } from '#shared/accounts/sessions';
import { AUTH_API } from '#shared/api/groups/auth';
import { httpApi } from '#shared/http/api';
import { groupEntry } from '#shared/http/entry';

const accepted = (message: string) => ({ body: { message } });

export const handler = groupEntry({
  http: httpApi(
    AUTH_API,
    {
      'GET /api/captcha': async () => ({ body: await createCaptcha() }),
      'POST /api/auth/register': async ({ body }) => {
        await register(body);
        return accepted(`Письмо со ссылкой для установки пароля отправлено на ${body.email}.`);
      },
      'POST /api/auth/confirm': async ({ body }) => {
        const { cookie, body: session } = await confirmRegistration(body.token, body.password);
        return { body: session, cookies: [cookie] };
      },
      'POST /api/auth/login': async ({ body }) => {
        const result = await login(body);
        // Login by SMS code: the password was right, the session waits for the code.
        if ('challenge' in result) return { status: 202, body: result.challenge };
        return { body: result.body, cookies: [result.cookie] };
      },
      'POST /api/auth/login/code': async ({ body }) => {
        const { cookie, body: session } = await loginWithCode(body.challenge, body.code);
        return { body: session, cookies: [cookie] };
      },
      'POST /api/auth/logout': async ({ event }) => {
        const session = await readSession(event);
        if (session) await endSession(session);
        return { cookies: [clearSessionCookie()] };
      },
      'POST /api/auth/recover': async ({ body }) => {
        await recover(body);
        return accepted(
          'Если номер лицевого счёта и e-mail совпали, мы отправили письмо со ссылкой для нового пароля.',
        );
      },
      'POST /api/auth/reset': async ({ body }) => {
        const { cookie, body: session } = await resetPassword(body.token, body.password);
        return { body: session, cookies: [cookie] };
      },
      'POST /api/profile/password': async (request) => {
        const { cookie, body } = await changePassword(
          { account: request.account, sessionId: request.sessionId },
          request.body,
        );
        return { body, cookies: [cookie] };
      },
    },
    { authenticate: requireSession },
  ),
});
