import { CheckboxField, TextField } from './Form';

export const PASSWORD_HINT =
  'Не короче 8 символов. Лучше всего — фраза из нескольких слов; слишком простые и распространённые пароли не подойдут.';

interface NewPasswordFieldsProps {
  password: string;
  repeat: string;
  shown: boolean;
  onPassword: (value: string) => void;
  onRepeat: (value: string) => void;
  onShown: (shown: boolean) => void;
  passwordError?: string | undefined;
  repeatError?: string | undefined;
  /** The request's field name for the new password (`password` or `newPassword`). */
  name?: string;
}

/** A new password typed twice, with a switch that shows what was typed (handy on a phone). */
export function NewPasswordFields(props: NewPasswordFieldsProps) {
  const type = props.shown ? 'text' : 'password';
  return (
    <>
      <TextField
        name={props.name ?? 'password'}
        type={type}
        label="Новый пароль"
        hint={PASSWORD_HINT}
        value={props.password}
        onInput={props.onPassword}
        error={props.passwordError}
        autocomplete="new-password"
        maxLength={128}
        required
      />
      <TextField
        name="repeat"
        type={type}
        label="Повторите пароль"
        value={props.repeat}
        onInput={props.onRepeat}
        error={props.repeatError}
        autocomplete="new-password"
        maxLength={128}
        required
      />
      <CheckboxField name="showPassword" checked={props.shown} onChange={props.onShown}>
        Показать пароль
      </CheckboxField>
    </>
  );
}
