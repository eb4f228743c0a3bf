import { useState } from 'preact/hooks';
import { CONSENT } from '#shared/accounts/consent';
import { register } from '../api/accounts';
import { CaptchaField, useCaptcha } from '../components/Captcha';
import { CentreContacts } from '../components/CentreContacts';
import {
  AccountNumberField,
  CheckboxField,
  FormAlert,
  SubmitButton,
  SuccessPanel,
  TextField,
} from '../components/Form';
import { PageFrame } from '../components/PageFrame';
import { ScrollRegion } from '../components/ScrollRegion';
import { useFormStatus } from '../forms';
import { accountError, collectErrors, emailError, requiredError } from '../validation';

export function Register() {
  const [account, setAccount] = useState('');
  const [passport, setPassport] = useState('');
  const [email, setEmail] = useState('');
  const [consent, setConsent] = useState(false);
  const [sentTo, setSentTo] = useState<string | null>(null);
  const captcha = useCaptcha();
  const form = useFormStatus();

  async function submit(event: Event) {
    event.preventDefault();
    const checks = collectErrors({
      account: accountError(account),
      passport: requiredError(passport, 'Укажите серию и номер паспорта'),
      email: emailError(email),
      consent: consent ? undefined : 'Необходимо согласие на обработку персональных данных',
      captchaAnswer: captcha.answerError(),
    });
    const solution = captcha.solution();
    if (!form.passes(checks) || !solution) return;
    const sent = await form.send(() =>
      register({ account, passport: passport.trim(), email: email.trim(), consent: true, ...solution }),
    );
    if (sent.ok) setSentTo(email.trim());
    else void captcha.reload();
  }

  if (sentTo) {
    return (
      <PageFrame title="Регистрация">
        <SuccessPanel title="Проверьте почту">
          <p data-testid="register-sent">
            Письмо отправлено на <strong>{sentTo}</strong>. Перейдите по ссылке из письма, чтобы задать пароль.
          </p>
          <p>Ссылка действует 24 часа. Если письма нет, проверьте папку «Спам».</p>
        </SuccessPanel>
        <p>
          <a href="/">На главную</a>
        </p>
      </PageFrame>
    );
  }

  const code = form.error?.code;
  return (
    <PageFrame title="Регистрация">
      <p class="page__lead">
        Для регистрации нужны номер лицевого счёта из квитанции и паспорт владельца. На почту придёт ссылка, по которой
        вы зададите пароль.
      </p>
      <form class="form" ref={form.formRef} onSubmit={submit} noValidate>
        <FormAlert error={form.error}>
          {code === 'already_registered' && (
            <>
              <p>Адрес и часы приёма центра:</p>
              <CentreContacts />
              <p>
                Забыли пароль? <a href="/recover">Восстановите пароль</a>.
              </p>
            </>
          )}
          {code === 'data_mismatch' && (
            <p>Номер лицевого счёта указан в квитанции (ЕПД). Паспорт — владельца помещения.</p>
          )}
        </FormAlert>
        <AccountNumberField value={account} onInput={setAccount} error={form.fieldError('account')} own />
        <TextField
          name="passport"
          label="Серия и номер паспорта владельца"
          hint="Например: 1405 123456"
          value={passport}
          onInput={setPassport}
          error={form.fieldError('passport')}
          autocomplete="off"
          maxLength={40}
          required
        />
        <TextField
          name="email"
          type="email"
          label="Электронная почта"
          hint="На неё придёт ссылка для установки пароля"
          value={email}
          onInput={setEmail}
          error={form.fieldError('email')}
          autocomplete="email"
          inputMode="email"
          maxLength={254}
          required
        />
        <section class="consent" aria-labelledby="consent-title">
          <h2 id="consent-title" class="consent__title">
            Согласие на обработку персональных данных
          </h2>
          <ScrollRegion class="consent__text" label="Текст согласия">
            {CONSENT.paragraphs.map((paragraph) => (
              <p key={paragraph}>{paragraph}</p>
            ))}
            <p class="consent__version">Редакция {CONSENT.version}</p>
          </ScrollRegion>
          <CheckboxField name="consent" checked={consent} onChange={setConsent} error={form.fieldError('consent')}>
            Я даю согласие на обработку персональных данных на условиях, изложенных выше
          </CheckboxField>
        </section>
        <CaptchaField state={captcha} error={form.fieldError('captchaAnswer') ?? form.fieldError('captchaId')} />
        <SubmitButton busy={form.busy}>Зарегистрироваться</SubmitButton>
      </form>
      <p class="form__aside">
        Уже зарегистрированы? <a href="/login">Войти</a>
      </p>
    </PageFrame>
  );
}
