import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { confirmRegistration, resetPassword, type Session } from '../api/accounts';
import { FormAlert, SubmitButton } from '../components/Form';
import { NewPasswordFields } from '../components/NewPasswordFields';
import { PageFrame } from '../components/PageFrame';
import { useFormStatus } from '../forms';
import { AFTER_LOGIN_PATH } from '../navigation';
import { useSession } from '../session';
import { collectErrors, newPasswordError, repeatError } from '../validation';

interface SetPasswordProps {
  title: string;
  lead: string;
  submitLabel: string;
  request: (body: { token: string; password: string }) => Promise<Session>;
  /** Where to get a new link when this one no longer works. */
  retry: { href: string; label: string };
}

/**
 * A password set from a mailed link (`?token=…`): the first one after registration, or a new one
 * after recovery. Either opens a session, so the resident lands in the cabinet.
 */
function SetPassword({ title, lead, submitLabel, request, retry }: SetPasswordProps) {
  const { query, route } = useLocation();
  const session = useSession();
  const token = query.token ?? '';
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [shown, setShown] = useState(false);
  const form = useFormStatus();

  if (!token) {
    return (
      <PageFrame title={title}>
        <div class="alert alert--error" role="alert">
          <p>В ссылке нет кода подтверждения. Откройте ссылку из письма целиком или скопируйте её в адресную строку.</p>
          <p>
            <a href={retry.href}>{retry.label}</a>
          </p>
        </div>
      </PageFrame>
    );
  }

  async function submit(event: Event) {
    event.preventDefault();
    const checks = collectErrors({ password: newPasswordError(password), repeat: repeatError(password, repeat) });
    if (!form.passes(checks)) return;
    const opened = await form.send(() => request({ token, password }));
    if (!opened.ok) return;
    await session.refresh();
    route(AFTER_LOGIN_PATH);
  }

  return (
    <PageFrame title={title}>
      <p class="page__lead">{lead}</p>
      <form class="form" ref={form.formRef} onSubmit={submit} noValidate>
        <FormAlert error={form.error}>
          {form.error?.code === 'invalid_token' && (
            <p>
              <a href={retry.href}>{retry.label}</a>
            </p>
          )}
        </FormAlert>
        <NewPasswordFields
          password={password}
          repeat={repeat}
          shown={shown}
          onPassword={setPassword}
          onRepeat={setRepeat}
          onShown={setShown}
          passwordError={form.fieldError('password')}
          repeatError={form.fieldError('repeat')}
        />
        <SubmitButton busy={form.busy}>{submitLabel}</SubmitButton>
      </form>
    </PageFrame>
  );
}

export function ConfirmRegistration() {
  return (
    <SetPassword
      title="Пароль для входа"
      lead="Последний шаг регистрации: придумайте пароль. С ним и номером лицевого счёта вы будете входить в личный кабинет."
      submitLabel="Сохранить пароль и войти"
      request={confirmRegistration}
      retry={{ href: '/register', label: 'Зарегистрироваться заново' }}
    />
  );
}

export function ResetPassword() {
  return (
    <SetPassword
      title="Новый пароль"
      lead="Придумайте новый пароль. После сохранения на других устройствах нужно будет войти заново."
      submitLabel="Сохранить пароль и войти"
      request={resetPassword}
      retry={{ href: '/recover', label: 'Запросить новую ссылку' }}
    />
  );
}
