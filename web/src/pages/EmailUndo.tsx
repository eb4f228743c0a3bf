import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { undoEmailChange } from '../api/accounts';
import { FormAlert, SubmitButton, SuccessPanel } from '../components/Form';
import { PageFrame } from '../components/PageFrame';
import { useFormStatus } from '../forms';
import { useSession } from '../session';

const NO_TOKEN = 'В ссылке нет кода отмены. Откройте ссылку из письма целиком или скопируйте её в адресную строку.';

/**
 * The link in the notice mailed to the old address when the e-mail is changed. It acts only on the
 * button: a mail scanner that opens links must not undo a change the resident made themselves.
 */
export function EmailUndo() {
  const { query } = useLocation();
  const { refresh } = useSession();
  const token = query.token ?? '';
  const [done, setDone] = useState<string | null>(null);
  const form = useFormStatus();

  async function submit(event: Event) {
    event.preventDefault();
    const result = await form.send(() => undoEmailChange(token));
    if (!result.ok) return;
    setDone(result.value?.message ?? 'Смена адреса отменена.');
    // Every session has ended, this browser's too.
    void refresh();
  }

  return (
    <PageFrame title="Отмена смены электронной почты">
      {!token && (
        <div class="alert alert--error" role="alert">
          <p>{NO_TOKEN}</p>
        </div>
      )}
      {token && !done && (
        <>
          <p class="page__lead">
            Если адрес электронной почты личного кабинета меняли не вы, отмените смену: адрес останется прежним, все
            сеансы входа в личный кабинет завершатся, а ссылки из писем перестанут действовать.
          </p>
          <form class="form" ref={form.formRef} onSubmit={submit} noValidate>
            <FormAlert error={form.error} />
            <SubmitButton busy={form.busy}>Отменить смену адреса</SubmitButton>
          </form>
        </>
      )}
      {done && (
        <SuccessPanel title="Смена адреса отменена">
          <p data-testid="email-undone">{done}</p>
          <p>
            Пароль мог попасть к постороннему: задайте новый через <a href="/recover">восстановление пароля</a> — ссылка
            придёт на прежний адрес. Если войти не получается, обратитесь в РАЦ с паспортом.
          </p>
        </SuccessPanel>
      )}
    </PageFrame>
  );
}
