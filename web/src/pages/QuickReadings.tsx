import { useState } from 'preact/hooks';
import { formatDecimal } from '#shared/readings/rules';
import type { ApiError } from '../api/client';
import {
  type QuickStart,
  type ReadingInput,
  type SubmissionResult,
  startQuickReadings,
  submitQuickReadings,
} from '../api/readings';
import { CaptchaField, useCaptcha } from '../components/Captcha';
import { AccountNumberField, FormAlert, SubmitButton, SuccessPanel } from '../components/Form';
import { PageFrame } from '../components/PageFrame';
import { ReadingForm, WindowBanner } from '../components/ReadingForm';
import { useFormStatus } from '../forms';
import { accountError, collectErrors } from '../validation';

/**
 * /readings/quick: readings without logging in. The account number and the robot check open the
 * account's meters (no name, no address) for 20 minutes; then the same form as the cabinet's. One
 * check carries one submission: after it (or when the time is up) the page starts over.
 */
export function QuickReadings() {
  const [account, setAccount] = useState('');
  const [session, setSession] = useState<QuickStart | null>(null);
  const [expired, setExpired] = useState(false);
  const [done, setDone] = useState<{ result: SubmissionResult; meters: QuickStart['meters'] } | null>(null);
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
    setDone(null);
    setSession(result.value);
  }

  /** The pass carried its one submission: the page shows what was accepted and starts over. */
  function accepted(result: SubmissionResult) {
    setDone({ result, meters: session?.meters ?? [] });
    setSession(null);
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
            Укажите номер лицевого счёта из квитанции и дождитесь проверки «Я не робот» — откроются счётчики этого
            счёта. Войдя в <a href="/login">личный кабинет</a>, можно также смотреть историю показаний.
          </p>
          {done && (
            <SuccessPanel title={done.result.message}>
              <ul class="reading-done" data-testid="reading-done">
                {done.result.items.map((item) => {
                  const meter = done.meters.find((m) => m.id === item.meterId);
                  return (
                    <li key={item.meterId}>
                      {meter ? `${meter.title}, №\u00a0${meter.serial}` : item.meterId}: {formatDecimal(item.value)}
                      {meter ? `\u00a0${meter.unit}` : ''}
                    </li>
                  );
                })}
                {done.meters
                  .filter((meter) => !done.result.items.some((item) => item.meterId === meter.id))
                  .map((meter) => (
                    <li key={meter.id} data-testid="reading-not-sent">
                      {meter.title}, №&nbsp;{meter.serial}: <strong>не передано</strong>
                      {meter.expired ? ' (истёк срок поверки)' : ''}
                    </li>
                  ))}
              </ul>
              <p>
                Чтобы исправить показания, пройдите проверку ещё раз или войдите в <a href="/login">личный кабинет</a>.
              </p>
            </SuccessPanel>
          )}
          {expired && (
            <div class="notice" role="status">
              <p>
                Показания по этой проверке уже переданы или время на передачу истекло. Введите номер лицевого счёта и
                пройдите проверку ещё раз.
              </p>
            </div>
          )}
          <form class="form" ref={form.formRef} noValidate onSubmit={start}>
            <FormAlert error={form.error} />
            <AccountNumberField value={account} onInput={setAccount} error={form.fieldError('account')} />
            <CaptchaField state={captcha} error={form.fieldError('captchaAnswer')} />
            <SubmitButton busy={form.busy}>Показать счётчики</SubmitButton>
          </form>
        </>
      ) : (
        <>
          <p class="page__lead" data-testid="quick-account">
            Лицевой счёт №&nbsp;{session.account}.{' '}
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
