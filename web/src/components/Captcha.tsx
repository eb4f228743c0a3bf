import { useCallback, useEffect, useId, useRef, useState } from 'preact/hooks';
import { CENTRE } from '#shared/centre';
import { type Captcha, type CaptchaSolution, getCaptcha } from '../api/accounts';
import { ApiError } from '../api/client';
import { svgDataUrl } from '../format';

const ANSWER_REQUIRED = 'Введите код с картинки';
const NO_PICTURE = 'Картинка с кодом не загрузилась: нажмите «Другая картинка»';

/**
 * A captcha for one form. Each one answers a single request, right or wrong (the server deletes
 * it on the first check), so the form calls `reload()` after every failed attempt.
 */
export function useCaptcha(enabled = true) {
  const [captcha, setCaptcha] = useState<Captcha | null>(null);
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
      setLoadError(caught instanceof ApiError ? caught.message : 'Не удалось загрузить картинку с кодом.');
    } finally {
      if (request === latest.current) setLoading(false);
    }
  }, []);

  useEffect(() => {
    if (enabled) void reload();
  }, [enabled, reload]);

  /** What to send with the form; null while there is no captcha to answer. */
  const solution = (): CaptchaSolution | null =>
    captcha ? { captchaId: captcha.id, captchaAnswer: answer.trim() } : null;

  /** The browser's check: a picture is shown and an answer typed (then `solution()` is not null). */
  const answerError = (): string | undefined => {
    if (!captcha) return NO_PICTURE;
    return answer.trim() ? undefined : ANSWER_REQUIRED;
  };

  return { captcha, answer, setAnswer, reload, loading, loadError, solution, answerError };
}

export type CaptchaState = ReturnType<typeof useCaptcha>;

/** The picture, a button for another one, and the answer input. */
export function CaptchaField({ state, error }: { state: CaptchaState; error?: string | undefined }) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const { captcha, answer, setAnswer, reload, loading, loadError } = state;
  const describedBy = [hintId, error ? errorId : ''].filter(Boolean).join(' ');
  return (
    <fieldset class="field captcha">
      <legend class="field__label">Проверка: вы не робот</legend>
      <div class="captcha__row">
        <div class="captcha__image" aria-busy={loading}>
          {captcha ? (
            <img src={svgDataUrl(captcha.svg)} alt="Картинка с кодом из цифр" width={180} height={64} />
          ) : (
            <span class="captcha__placeholder">{loadError ?? 'Загрузка…'}</span>
          )}
        </div>
        <button type="button" class="button button--secondary button--small" onClick={() => void reload()}>
          Другая картинка
        </button>
      </div>
      <p id={hintId} class="field__hint">
        Не получается разобрать цифры? Нажмите «Другая картинка» или позвоните в центр:{' '}
        <a href={CENTRE.phone.href}>{CENTRE.phone.display}</a>.
      </p>
      <label class="field__label" for={id}>
        Цифры с картинки
      </label>
      <input
        id={id}
        name="captchaAnswer"
        class={error ? 'field__input field__input--short field__input--invalid' : 'field__input field__input--short'}
        value={answer}
        required
        inputMode="numeric"
        autocomplete="off"
        maxLength={16}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        onInput={(event) => setAnswer(event.currentTarget.value)}
      />
      {error && (
        <p id={errorId} class="field__error">
          {error}
        </p>
      )}
    </fieldset>
  );
}
