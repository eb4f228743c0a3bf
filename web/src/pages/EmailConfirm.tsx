import { useEffect, useRef, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { confirmEmailChange } from '../api/accounts';
import { ApiError } from '../api/client';
import { SuccessPanel } from '../components/Form';
import { PageFrame } from '../components/PageFrame';
import { useSession } from '../session';

type State = { kind: 'sending' } | { kind: 'done'; message: string } | { kind: 'failed'; message: string };

const NO_TOKEN =
  'В ссылке нет кода подтверждения. Откройте ссылку из письма целиком или скопируйте её в адресную строку.';

/** The link mailed to a new address: opening it confirms the address (no login needed). */
export function EmailConfirm() {
  const { query } = useLocation();
  const { me, refresh } = useSession();
  const token = query.token ?? '';
  const [state, setState] = useState<State>(token ? { kind: 'sending' } : { kind: 'failed', message: NO_TOKEN });
  const sent = useRef(false);

  useEffect(() => {
    if (!token || sent.current) return;
    // A token works once: never send it twice, even if the page renders again.
    sent.current = true;
    confirmEmailChange(token).then(
      (answer) => {
        setState({ kind: 'done', message: answer?.message ?? 'Адрес электронной почты подтверждён.' });
        void refresh();
      },
      (caught: unknown) => {
        const message = caught instanceof ApiError ? caught.message : 'Не удалось подтвердить адрес.';
        setState({ kind: 'failed', message });
      },
    );
  }, [token, refresh]);

  return (
    <PageFrame title="Подтверждение электронной почты">
      {state.kind === 'sending' && (
        <p class="loading" role="status">
          Подтверждаем адрес…
        </p>
      )}
      {state.kind === 'done' && (
        <SuccessPanel title="Адрес подтверждён">
          <p data-testid="email-confirmed">{state.message}</p>
          <p>Теперь письма личного кабинета будут приходить на новый адрес.</p>
        </SuccessPanel>
      )}
      {state.kind === 'failed' && (
        <div class="alert alert--error" role="alert">
          <p>{state.message}</p>
          <p>Запросить новую ссылку можно в профиле: укажите новый адрес ещё раз.</p>
        </div>
      )}
      <p>{me ? <a href="/profile">Перейти в профиль</a> : <a href="/login?next=%2Fprofile">Войти</a>}</p>
    </PageFrame>
  );
}
