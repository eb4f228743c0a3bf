import { useCallback, useEffect, useId, useRef, useState } from 'preact/hooks';
import { CENTRE } from '#shared/centre';
import { type Captcha, type CaptchaSolution, getCaptcha } from '../api/accounts';
import { ApiError } from '../api/client';
import type { WidgetState } from './altchaWidget';

const NOT_DONE = 'Дождитесь окончания проверки «Я не робот»';
const NO_CHALLENGE = 'Проверка «Я не робот» не загрузилась: нажмите «Повторить проверку»';

/**
 * The robot check of one form: an ALTCHA proof-of-work challenge from `GET /api/captcha`, solved
 * in the background by the widget (nothing to read or hear, so blind residents pass it like
 * everyone else). Each challenge answers a single request, right or wrong (the server deletes it
 * on the first check), so the form calls `reload()` after every failed attempt.
 */
export function useCaptcha(enabled = true) {
  const [captcha, setCaptcha] = useState<Captcha | null>(null);
  /** The widget's payload once the work is done: what the form sends as `captchaAnswer`. */
  const [answer, setAnswer] = useState('');
  const [loadError, setLoadError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const latest = useRef(0);

  const reload = useCallback(async () => {
    const request = ++latest.current;
    setLoading(true);
    setAnswer('');
    try {
      const next = await getCaptcha();
      if (request !== latest.current) return;
      setCaptcha(next);
      setLoadError(null);
    } catch (caught) {
      if (request !== latest.current) return;
      setCaptcha(null);
      setLoadError(caught instanceof ApiError ? caught.message : 'Не удалось загрузить проверку «Я не робот».');
    } finally {
      if (request === latest.current) setLoading(false);
    }
  }, []);

  useEffect(() => {
    if (enabled) void reload();
  }, [enabled, reload]);

  /** What to send with the form; null until the check is done. */
  const solution = (): CaptchaSolution | null =>
    captcha && answer ? { captchaId: captcha.id, captchaAnswer: answer } : null;

  /** The browser's check: a challenge is loaded and solved (then `solution()` is not null). */
  const answerError = (): string | undefined => {
    if (!captcha) return NO_CHALLENGE;
    return answer ? undefined : NOT_DONE;
  };

  return { captcha, answer, setAnswer, reload, loading, loadError, solution, answerError };
}

export type CaptchaState = ReturnType<typeof useCaptcha>;

const STATUS: Record<WidgetState, string> = {
  unverified: 'Проверка ещё не началась.',
  verifying: 'Идёт проверка: браузер выполняет вычисления, это займёт несколько секунд.',
  verified: 'Проверка пройдена.',
  error: 'Проверка не удалась. Нажмите «Повторить проверку».',
  expired: 'Проверка устарела. Нажмите «Повторить проверку».',
  code: 'Проверка не удалась. Нажмите «Повторить проверку».',
};

/**
 * The ALTCHA widget (lazy-loaded: only pages with a robot check fetch it), a button for a new
 * check, and a status line for screen readers. `data-state` tells tests when the work is done.
 */
export function CaptchaField({ state, error }: { state: CaptchaState; error?: string | undefined }) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const { captcha, setAnswer, reload, loading, loadError } = state;
  const host = useRef<HTMLDivElement>(null);
  const [widgetState, setWidgetState] = useState<WidgetState | 'loading'>('loading');

  useEffect(() => {
    const container = host.current;
    if (!captcha || !container) return;
    let unmount: (() => void) | undefined;
    let cancelled = false;
    setWidgetState('loading');
    import('./altchaWidget').then(
      ({ mountAltcha }) => {
        if (cancelled) return;
        unmount = mountAltcha(container, captcha.challenge, { payload: setAnswer, state: setWidgetState });
      },
      () => !cancelled && setWidgetState('error'),
    );
    return () => {
      cancelled = true;
      unmount?.();
    };
  }, [captcha, setAnswer]);

  const describedBy = [hintId, error ? errorId : ''].filter(Boolean).join(' ');
  const status = loadError ?? (widgetState === 'loading' || loading ? 'Загрузка проверки…' : STATUS[widgetState]);
  return (
    <fieldset class="field captcha" data-state={loading ? 'loading' : widgetState} aria-describedby={describedBy}>
      <legend class="field__label">Проверка: вы не робот</legend>
      <div class="captcha__row">
        <div class="captcha__widget" ref={host} aria-busy={loading || widgetState === 'verifying'} />
        <button type="button" class="button button--secondary button--small" onClick={() => void reload()}>
          Повторить проверку
        </button>
      </div>
      <p class="field__hint" role="status" aria-live="polite">
        {status}
      </p>
      <p id={hintId} class="field__hint">
        Ничего вводить не нужно: браузер сам решает задачу за несколько секунд. Не получается? Нажмите «Повторить
        проверку» или позвоните в центр: <a href={CENTRE.phone.href}>{CENTRE.phone.display}</a>.
      </p>
      {error && (
        <p id={errorId} class="field__error">
          {error}
        </p>
      )}
    </fieldset>
  );
}
