import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api/client';
import { getMeters, type MetersPage, submitReadings } from '../api/readings';
import { PageFrame } from '../components/PageFrame';
import { ReadingForm, WindowBanner } from '../components/ReadingForm';

/** Hook: the meters page of the logged-in resident, reloadable after a submission. */
function useMeters() {
  const [page, setPage] = useState<MetersPage | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(async () => {
    try {
      setPage(await getMeters());
      setError(null);
    } catch (caught) {
      setError(caught instanceof ApiError ? caught.message : 'Не удалось загрузить счётчики.');
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);
  return { page, error, load };
}

/** /readings: every meter of the account on one page, in the monthly window. */
export function Readings() {
  const { page, error, load } = useMeters();
  return (
    <PageFrame title="Передача показаний">
      <p class="page__lead">
        Введите показания со счётчиков — все цифры до запятой и нужные после. Расход посчитается сразу. Показания можно
        исправить до конца приёма: новое значение заменит прежнее.{' '}
        <a href="/readings/history">История и графики расхода</a>
      </p>
      {error && (
        <div class="alert alert--error" role="alert">
          <p>{error}</p>
          <button type="button" class="button button--secondary button--small" onClick={() => void load()}>
            Повторить
          </button>
        </div>
      )}
      {!page && !error && (
        <p class="loading" role="status">
          Загрузка…
        </p>
      )}
      {page && (
        <>
          <WindowBanner window={page.window} />
          <ReadingForm
            window={page.window}
            meters={page.meters}
            send={submitReadings}
            onSubmitted={() => void load()}
            onError={(failure) => {
              // The window closed meanwhile: show its new state.
              if (failure.code === 'window_closed') void load();
            }}
          />
        </>
      )}
    </PageFrame>
  );
}
