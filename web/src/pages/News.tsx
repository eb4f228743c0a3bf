import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api/client';
import { getNews, type NewsItem } from '../api/news';
import { NewsItems } from '../components/NewsItems';
import { PageFrame } from '../components/PageFrame';
import { useSession } from '../session';

/** /news: the centre's news, public; a logged-in resident also sees the news for their address. */
export function News() {
  const { me } = useSession();
  const [items, setItems] = useState<NewsItem[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const account = me?.account;

  // Asked again when the session changes: logging in adds the news for the resident's address.
  useEffect(() => {
    const controller = new AbortController();
    getNews(50, controller.signal)
      .then((list) => setItems(list.items))
      .catch((caught: unknown) => {
        if (controller.signal.aborted) return;
        setError(caught instanceof ApiError ? caught.message : 'Не удалось загрузить новости.');
      });
    return () => controller.abort();
  }, [account]);

  return (
    <PageFrame title="Новости">
      {error && (
        <p class="alert" role="alert">
          {error}
        </p>
      )}
      {items === null && !error && <p aria-busy="true">Загрузка…</p>}
      {items && items.length === 0 && <p>Новостей пока нет.</p>}
      {items && items.length > 0 && <NewsItems items={items} />}
      <p class="news-subscribe">
        {me ? (
          <>
            Новости можно получать на почту: <a href="/profile">включите рассылку в профиле</a>.
          </>
        ) : (
          <>
            <a href="/login">Войдите</a>, чтобы видеть и новости для вашего адреса — например, о плановых отключениях.
          </>
        )}
      </p>
    </PageFrame>
  );
}
