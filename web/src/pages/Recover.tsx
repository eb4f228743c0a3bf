import { useState } from 'preact/hooks';
import { recoverPassword } from '../api/accounts';
import { CaptchaField, useCaptcha } from '../components/Captcha';
import { AccountNumberField, FormAlert, SubmitButton, SuccessPanel, TextField } from '../components/Form';
import { PageFrame } from '../components/PageFrame';
import { useFormStatus } from '../forms';
import { accountError, collectErrors, emailError } from '../validation';

/**
 * Password recovery. The answer is the same whether or not the account and e-mail match: the page
 * must not tell a stranger which e-mail belongs to which account.
 */
export function Recover() {
  const [account, setAccount] = useState('');
  const [email, setEmail] = useState('');
  const [sent, setSent] = useState(false);
  const captcha = useCaptcha();
  const form = useFormStatus();

  async function submit(event: Event) {
    event.preventDefault();
    const checks = collectErrors({
      account: accountError(account),
      email: emailError(email),
      captchaAnswer: captcha.answerError(),
    });
    const solution = captcha.solution();
    if (!form.passes(checks) || !solution) return;
    const result = await form.send(() => recoverPassword({ account, email: email.trim(), ...solution }));
    if (result.ok) setSent(true);
    else void captcha.reload();
  }

  if (sent) {
    return (
      <PageFrame title="Восстановление пароля">
        <SuccessPanel title="Проверьте почту">
          <p data-testid="recover-sent">
            Если данные совпали, мы отправили письмо со ссылкой для смены пароля. Ссылка действует 1 час.
          </p>
          <p>Если письма нет, проверьте папку «Спам» и правильность номера лицевого счёта и адреса почты.</p>
        </SuccessPanel>
        <p>
          <a href="/login">Ко входу</a>
        </p>
      </PageFrame>
    );
  }

  return (
    <PageFrame title="Восстановление пароля">
      <p class="page__lead">
        Укажите номер лицевого счёта и адрес почты, который вы указали при регистрации: мы пришлём ссылку для установки
        нового пароля.
      </p>
      <form class="form" ref={form.formRef} onSubmit={submit} noValidate>
        <FormAlert error={form.error} />
        <AccountNumberField value={account} onInput={setAccount} error={form.fieldError('account')} own />
        <TextField
          name="email"
          type="email"
          label="Электронная почта"
          value={email}
          onInput={setEmail}
          error={form.fieldError('email')}
          autocomplete="email"
          inputMode="email"
          maxLength={254}
          required
        />
        <CaptchaField state={captcha} error={form.fieldError('captchaAnswer') ?? form.fieldError('captchaId')} />
        <SubmitButton busy={form.busy}>Отправить ссылку</SubmitButton>
      </form>
      <p class="form__aside">
        Не помните адрес почты? Обратитесь в центр с паспортом или <a href="/support">напишите нам</a>.
      </p>
    </PageFrame>
  );
}
