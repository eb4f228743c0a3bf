import { useState } from 'preact/hooks';
import type { ApiError } from '../api/client';
import {
  type QuickStart,
  type ReadingInput,
  type SubmissionResult,
  startQuickReadings,
  submitQuickReadings,
} from '../api/readings';
import { CaptchaField, useCaptcha } from '../components/Captcha';
import { FormAlert, SubmitButton, TextField } from '../components/Form';
import { PageFrame } from '../components/PageFrame';
import { ReadingForm, WindowBanner } from '../components/ReadingForm';
import { useFormStatus } from '../forms';
import { accountError, collectErrors, digitsOnly } from '../validation';

/**
 * /readings/quick: readings without logging in. The account number and the code from the picture
 * open the account's meters (no name, no address) for 20 minutes; then the same form as the
 * cabinet's. When the time is up the page starts over.
 */
export function QuickReadings() {
  const [account, setAccount] = useState('');
  const [session, setSession] = useState<QuickStart | null>(null);
  const [expired, setExpired] = useState(false);
  const captcha = useCaptcha(session === null);
  const form = useFormStatus();

  async function start(event: Event) {
    event.preventDefault();
    const checks = collectErrors({ account: accountError(account), captchaAnswer: captcha.answerError() });
    const solution = captcha.solution();
    if (!form.passes(checks) || !solution) return;
    const result = await form.send(() => startQuickReadings({ account: account.trim(), ...solution }));
    if (!result.ok) {
      void captcha.reload();
      return;
    }
    setExpired(false);
    setSession(result.value);
  }

  /** No second captcha for fresh meters: the accepted values become this window's submitted ones. */
  function accepted(result: SubmissionResult) {
    setSession((current) => {
      if (!current) return current;
      const byId = new Map(result.items.map((item) => [item.meterId, item]));
      const meters = current.meters.map((meter) => {
        const item = byId.get(meter.id);
        return item
          ? {
              ...meter,
              submitted: { value: item.value, consumption: item.consumption, submittedAt: new Date().toISOString() },
            }
          : meter;
      });
      return { ...current, meters };
    });
  }

  function restart(failure: ApiError) {
    if (failure.code !== 'invalid_ticket') return;
    setSession(null);
    setExpired(true);
  }

  return (
    <PageFrame title="Показания без входа в личный кабинет">
      {!session ? (
        <>
          <p class="page__lead">
            Укажите номер лицевого счёта из квитанции и цифры с картинки — откроются счётчики этого счёта. Войдя в{' '}
            <a href="/login">личный кабинет</a>, можно также смотреть историю показаний.
          </p>
          {expired && (
            <div class="notice" role="status">
              <p>Время на передачу показаний истекло. Введите номер лицевого счёта и код ещё раз.</p>
            </div>
          )}
          <form class="form" ref={form.formRef} noValidate onSubmit={start}>
            <FormAlert error={form.error} />
            <TextField
              name="account"
              label="Номер лицевого счёта"
              value={account}
              onInput={(value) => setAccount(digitsOnly(value).slice(0, 6))}
              error={form.fieldError('account')}
              inputMode="numeric"
              autocomplete="off"
              maxLength={6}
              required
              hint="6 цифр, указан в квитанции (ЕПД)"
            />
            <CaptchaField state={captcha} error={form.fieldError('captchaAnswer')} />
            <SubmitButton busy={form.busy}>Показать счётчики</SubmitButton>
          </form>
        </>
      ) : (
        <>
          <p class="page__lead" data-testid="quick-account">
            Лицевой счёт № {session.account}.{' '}
            <button type="button" class="button button--secondary button--small" onClick={() => setSession(null)}>
              Другой счёт
            </button>
          </p>
          <WindowBanner window={session.window} />
          <ReadingForm
            window={session.window}
            meters={session.meters}
            send={(readings: ReadingInput[]) => submitQuickReadings(session.ticket, readings)}
            onSubmitted={accepted}
            onError={restart}
          />
        </>
      )}
    </PageFrame>
  );
}
