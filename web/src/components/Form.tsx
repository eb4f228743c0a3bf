import type { ComponentChildren } from 'preact';
import { useEffect, useId, useRef } from 'preact/hooks';
import type { ApiError } from '../api/client';
import { digitsOnly } from '../validation';

type InputMode = 'numeric' | 'email' | 'tel' | 'text';

interface TextFieldProps {
  name: string;
  label: string;
  value: string;
  onInput: (value: string) => void;
  error?: string | undefined;
  hint?: ComponentChildren;
  type?: 'text' | 'email' | 'password' | 'tel';
  autocomplete?: string;
  inputMode?: InputMode;
  maxLength?: number;
  required?: boolean;
  /** A textarea of this many rows instead of a one-line input. */
  rows?: number;
  readOnly?: boolean;
}

/** Preact types each input type separately: a union of types needs a union of attribute objects. */
function textType(type: 'text' | 'email' | 'tel') {
  if (type === 'email') return { type: 'email' as const };
  if (type === 'tel') return { type: 'tel' as const };
  return { type: 'text' as const };
}

/**
 * «Номер лицевого счёта»: six digits as printed on the bill, whatever else is typed or pasted
 * («№ 100001», spaces) dropped as it is typed. `own`: the resident's own account, the login name a
 * browser's password manager fills in; another account (paying, readings for a relative) is not.
 */
export function AccountNumberField({
  value,
  onInput,
  error,
  hint = '6 цифр, указан в квитанции (ЕПД)',
  own = false,
  readOnly = false,
  required = true,
}: {
  value: string;
  onInput: (digits: string) => void;
  error?: string | undefined;
  hint?: string;
  own?: boolean;
  readOnly?: boolean;
  required?: boolean;
}) {
  return (
    <TextField
      name="account"
      label="Номер лицевого счёта"
      hint={hint}
      value={value}
      onInput={(typed) => onInput(digitsOnly(typed).slice(0, 6))}
      error={error}
      autocomplete={own ? 'username' : 'off'}
      inputMode="numeric"
      maxLength={6}
      required={required && !readOnly}
      readOnly={readOnly}
    />
  );
}

/**
 * «Текущий пароль», asked for before what recovery or the second factor trusts changes (the e-mail,
 * the phone, the password itself): one field, so each form offers the browser's saved password.
 */
export function CurrentPasswordField(
  props: Pick<TextFieldProps, 'value' | 'onInput' | 'error' | 'hint'> & { name?: string; shown?: boolean },
) {
  const { name = 'currentPassword', shown = false, ...field } = props;
  return (
    <TextField
      {...field}
      name={name}
      type={shown ? 'text' : 'password'}
      label="Текущий пароль"
      autocomplete="current-password"
      maxLength={128}
      required
    />
  );
}

/** A labelled input with its hint and its error, both tied to it for screen readers. */
export function TextField({
  name,
  label,
  value,
  onInput,
  error,
  hint,
  type = 'text',
  autocomplete,
  inputMode,
  maxLength,
  required = false,
  rows,
  readOnly = false,
}: TextFieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hint ? hintId : '', error ? errorId : ''].filter(Boolean).join(' ') || undefined;
  const common = {
    id,
    name,
    value,
    class: error ? 'field__input field__input--invalid' : 'field__input',
    required,
    readOnly,
    maxLength,
    autocomplete,
    'aria-invalid': error ? true : undefined,
    'aria-describedby': describedBy,
  };
  return (
    <div class="field">
      <label class="field__label" for={id}>
        {label}
        {!required && <span class="field__optional"> (необязательно)</span>}
      </label>
      {hint && (
        <p id={hintId} class="field__hint">
          {hint}
        </p>
      )}
      {rows ? (
        <textarea {...common} rows={rows} onInput={(event) => onInput(event.currentTarget.value)} />
      ) : type === 'password' ? (
        // The input types are typed one by one: a password input has no inputmode.
        <input {...common} type="password" onInput={(event) => onInput(event.currentTarget.value)} />
      ) : (
        <input
          {...common}
          {...textType(type)}
          inputMode={inputMode}
          onInput={(event) => onInput(event.currentTarget.value)}
        />
      )}
      {error && (
        <p id={errorId} class="field__error">
          {error}
        </p>
      )}
    </div>
  );
}

interface CheckboxFieldProps {
  name: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  children: ComponentChildren;
  error?: string | undefined;
}

export function CheckboxField({ name, checked, onChange, children, error }: CheckboxFieldProps) {
  const id = useId();
  const errorId = `${id}-error`;
  return (
    <div class="field field--checkbox">
      <div class="checkbox">
        <input
          id={id}
          name={name}
          type="checkbox"
          class="checkbox__input"
          checked={checked}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? errorId : undefined}
          onChange={(event) => onChange(event.currentTarget.checked)}
        />
        <label class="checkbox__label" for={id}>
          {children}
        </label>
      </div>
      {error && (
        <p id={errorId} class="field__error">
          {error}
        </p>
      )}
    </div>
  );
}

/**
 * Where a form's error is announced: the live region is always in the page, so a screen reader
 * reads a message the moment it appears. `children` add advice to a particular error.
 */
export function FormAlert({ error, children }: { error: ApiError | null; children?: ComponentChildren }) {
  return (
    <div class="form-alert" role="alert">
      {error && (
        <div class="alert alert--error" tabIndex={-1}>
          <p>{error.message}</p>
          {children}
        </div>
      )}
    </div>
  );
}

export function SubmitButton({ busy, children }: { busy: boolean; children: ComponentChildren }) {
  return (
    <button type="submit" class="button button--primary form__submit" disabled={busy} aria-busy={busy}>
      {busy ? 'Отправка…' : children}
    </button>
  );
}

/** A confirmation that replaces a sent form; its heading takes focus so the change is announced. */
export function SuccessPanel({ title, children }: { title: string; children?: ComponentChildren }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <div class="alert alert--success" role="status">
      <h2 class="alert__title" tabIndex={-1} ref={heading}>
        {title}
      </h2>
      {children}
    </div>
  );
}
