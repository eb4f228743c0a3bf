import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api/client';
import { getNews, type NewsItem } from '../api/news';
import { NewsItems } from './NewsItems';

/** The cabinet's «Новости» block: the resident's three latest items and a link to all of them. */
export function LatestNews() {
  const [items, setItems] = useState<NewsItem[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    getNews(3, controller.signal)
      .then((list) => setItems(list.items))
      .catch((caught: unknown) => {
        if (controller.signal.aborted) return;
        setError(caught instanceof ApiError ? caught.message : 'Не удалось загрузить новости.');
      });
    return () => controller.abort();
  }, []);

  return (
    <section class="section" aria-labelledby="latest-news-heading" data-testid="latest-news">
      <h2 id="latest-news-heading">Новости</h2>
      {error && <p class="notice">{error}</p>}
      {items && items.length === 0 && <p>Новостей пока нет.</p>}
      {items && items.length > 0 && <NewsItems items={items} headingLevel={3} />}
      <p>
        <a href="/news">Все новости</a>
      </p>
    </section>
  );
}
