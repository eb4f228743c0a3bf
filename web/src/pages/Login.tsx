import { useEffect, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { type LoginChallenge, loginOrChallenge, loginWithCode } from '../api/accounts';
import { CaptchaField, useCaptcha } from '../components/Captcha';
import { AccountNumberField, FormAlert, SubmitButton, TextField } from '../components/Form';
import { PageFrame } from '../components/PageFrame';
import { useFormStatus, withField } from '../forms';
import { afterLoginPath, LOGIN_PATH } from '../navigation';
import { useSession } from '../session';
import { accountError, collectErrors, digitsOnly, requiredError } from '../validation';

/**
 * Login by account number and password. After a few failures the server asks for a captcha
 * (428 `captcha_required`): the form then shows one and every later attempt carries its answer.
 */
export function Login() {
  const { path, query, route } = useLocation();
  const session = useSession();
  const [account, setAccount] = useState('');
  const [password, setPassword] = useState('');
  const [captchaNeeded, setCaptchaNeeded] = useState(false);
  // Login by SMS code: the password was right, the session waits for the code.
  const [challenge, setChallenge] = useState<LoginChallenge | null>(null);
  const captcha = useCaptcha(captchaNeeded);
  const form = useFormStatus();
  const next = afterLoginPath(query.next);

  // Already logged in (a bookmark, the back button): no second login. Only while the address is
  // still the login page: after a successful login this page stays mounted while the next page's
  // code loads, the address no longer carries `next`, and routing again would send the resident
  // to the account page instead of the page they asked for.
  useEffect(() => {
    if (session.me && path === LOGIN_PATH) route(next, true);
  }, [session.me, path, next, route]);

  async function submit(event: Event) {
    event.preventDefault();
    const checks = collectErrors({
      account: accountError(account),
      password: requiredError(password, 'Введите пароль'),
      captchaAnswer: captchaNeeded ? captcha.answerError() : undefined,
    });
    if (!form.passes(checks)) return;
    const solution = captchaNeeded ? captcha.solution() : null;
    const result = await form.send(() => loginOrChallenge({ account, password, ...(solution ?? {}) }));
    if (result.ok && 'challenge' in result.value) {
      setPassword('');
      setChallenge(result.value);
      return;
    }
    if (result.ok) {
      await session.refresh();
      route(next);
      return;
    }
    const { error } = result;
    if (error.code === 'invalid_input') return;
    if (error.code === 'invalid_credentials' || error.code === 'too_many_attempts') setPassword('');
    if (error.code === 'captcha_required' && !captchaNeeded) {
      // The picture appears with this render; point the resident at its input.
      setCaptchaNeeded(true);
      form.setError(withField(error, 'captchaAnswer', 'Дождитесь окончания проверки «Я не робот»'));
      return;
    }
    // Each captcha answers one attempt, right or wrong.
    if (captchaNeeded) void captcha.reload();
  }

  if (challenge) {
    return (
      <CodeStep
        challenge={challenge}
        onDone={async () => {
          await session.refresh();
          route(next);
        }}
        onRestart={() => setChallenge(null)}
      />
    );
  }

  return (
    <PageFrame title="Вход в личный кабинет">
      {next.startsWith('/payments/return') && (
        <p class="notice" data-testid="login-payment-notice">
          Банк вернул вас на сайт после оплаты. Войдите, чтобы увидеть, прошла ли она: деньги, списанные банком,
          зачисляются на лицевой счёт и без входа.
        </p>
      )}
      <form class="form" ref={form.formRef} onSubmit={submit} noValidate>
        <FormAlert error={form.error}>
          {form.error?.code === 'too_many_attempts' && (
            <p>
              <a href="/recover">Восстановить пароль</a>
            </p>
          )}
        </FormAlert>
        <AccountNumberField value={account} onInput={setAccount} error={form.fieldError('account')} own />
        <TextField
          name="password"
          type="password"
          label="Пароль"
          value={password}
          onInput={setPassword}
          error={form.fieldError('password')}
          autocomplete="current-password"
          maxLength={128}
          required
        />
        {captchaNeeded && (
          <CaptchaField state={captcha} error={form.fieldError('captchaAnswer') ?? form.fieldError('captchaId')} />
        )}
        <SubmitButton busy={form.busy}>Войти</SubmitButton>
      </form>
      <ul class="form__links">
        <li>
          <a href="/recover">Забыли пароль?</a>
        </li>
        <li>
          Нет личного кабинета? <a href="/register">Регистрация</a>
        </li>
        <li>
          Оплатить за любой лицевой счёт: <a href="/pay">Оплатить без входа</a>
        </li>
        <li>
          Только показания, по номеру лицевого счёта: <a href="/readings/quick">Передать показания без входа</a>
        </li>
      </ul>
    </PageFrame>
  );
}

/** The second step of a login by SMS code: the 6 digits texted to the confirmed phone. */
function CodeStep({
  challenge,
  onDone,
  onRestart,
}: {
  challenge: LoginChallenge;
  onDone: () => Promise<void>;
  onRestart: () => void;
}) {
  const [code, setCode] = useState('');
  const form = useFormStatus();

  async function submit(event: Event) {
    event.preventDefault();
    if (!form.passes(/^\d{6}$/.test(code) ? {} : { code: 'Введите 6 цифр кода из SMS' })) return;
    const result = await form.send(() => loginWithCode({ challenge: challenge.challenge, code }));
    if (result.ok) await onDone();
    else setCode('');
  }

  return (
    <PageFrame title="Код из SMS">
      <form class="form" ref={form.formRef} onSubmit={submit} noValidate>
        <p>{challenge.message} Код действует 10 минут.</p>
        <FormAlert error={form.error} />
        <TextField
          name="code"
          label="Код из SMS"
          value={code}
          onInput={(value) => setCode(digitsOnly(value))}
          error={form.fieldError('code')}
          autocomplete="one-time-code"
          inputMode="numeric"
          maxLength={6}
          required
        />
        <SubmitButton busy={form.busy}>Войти</SubmitButton>
      </form>
      <ul class="form__links">
        <li>
          <button type="button" class="button button--secondary button--small" onClick={onRestart}>
            Код не пришёл — войти заново
          </button>
        </li>
        <li>
          Нет доступа к телефону? <a href="/recover">Восстановите пароль</a> по почте: вход по коду из SMS отключится.
        </li>
      </ul>
    </PageFrame>
  );
}
