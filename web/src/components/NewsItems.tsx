import type { NewsItem } from '../api/news';
import { formatDate } from '../format';
import '../news.css';

/**
 * News items as articles. The text's HTML was rendered by the server when the item was published
 * (shared/news/render.ts: raw HTML escaped, links only to http(s), mailto, tel and the site), and
 * the site's CSP runs no inline script, so it is set as is rather than parsed again here.
 */
export function NewsItems({ items, headingLevel = 2 }: { items: readonly NewsItem[]; headingLevel?: 2 | 3 }) {
  const Heading = headingLevel === 2 ? 'h2' : 'h3';
  return (
    <ul class="news-list">
      {items.map((item) => (
        <li key={item.id}>
          <article class="news-item" aria-labelledby={`news-${item.id}`}>
            <Heading class="news-item__title" id={`news-${item.id}`}>
              {item.title}
            </Heading>
            <p class="news-item__meta">
              <time dateTime={item.publishedAt}>{formatDate(item.publishedAt)}</time>
              {item.addresses.length > 0 && <span> · для адресов: {item.addresses.join('; ')}</span>}
            </p>
            <div class="news-item__text" dangerouslySetInnerHTML={{ __html: item.html }} />
          </article>
        </li>
      ))}
    </ul>
  );
}
