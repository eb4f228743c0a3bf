import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from './api/client';
import type { FieldErrors } from './validation';

/** The message above a form whose own checks failed; each field says what is wrong with it. */
export const CHECK_FIELDS_MESSAGE = 'Проверьте выделенные поля.';

const UNEXPECTED = 'Не удалось выполнить запрос. Повторите попытку позже.';

export function fieldsError(fields: FieldErrors): ApiError {
  return new ApiError(0, 'invalid_input', CHECK_FIELDS_MESSAGE, fields);
}

export type SendResult<T> = { ok: true; value: T } | { ok: false; error: ApiError };

/**
 * A form's sending state: `busy` while a request is out, `error` from the browser's checks or the
 * server (its Russian message and per-field messages). When an error appears, focus goes to the
 * first field at fault, or to the message when no field is, so keyboard and screen-reader users
 * land where the problem is.
 */
export function useFormStatus() {
  const formRef = useRef<HTMLFormElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  useEffect(() => {
    const form = formRef.current;
    if (!error || !form) return;
    const target =
      form.querySelector<HTMLElement>('[aria-invalid="true"]') ?? form.querySelector<HTMLElement>('.alert');
    target?.focus();
  }, [error]);

  /** Runs the request; on failure shows its error (and hands it back, for forms that react to a code). */
  async function send<T>(request: () => Promise<T>): Promise<SendResult<T>> {
    setBusy(true);
    setError(null);
    try {
      return { ok: true, value: await request() };
    } catch (caught) {
      const failure = caught instanceof ApiError ? caught : new ApiError(0, 'unexpected_response', UNEXPECTED);
      setError(failure);
      return { ok: false, error: failure };
    } finally {
      setBusy(false);
    }
  }

  /** Shows the browser's own findings; true when there were none and the form may be sent. */
  function passes(fields: FieldErrors): boolean {
    if (Object.keys(fields).length === 0) return true;
    setError(fieldsError(fields));
    return false;
  }

  const fieldError = (name: string): string | undefined => error?.fields[name];

  return { formRef, busy, error, setError, send, passes, fieldError };
}

/** The same error, pinned to a field as well (so focus goes to that field). */
export function withField(error: ApiError, field: string, message: string): ApiError {
  return new ApiError(error.status, error.code, error.message, { ...error.fields, [field]: message });
}
