import { getAccount } from '#shared/accounts/store';
import { addressMatches } from '#shared/news/addresses';
import { NEWS_LIST_DEFAULT } from '#shared/news/schemas';
import { latestNews, type StoredNews } from '#shared/news/store';

/**
 * What a visitor sees of the news (GET /api/news): everyone sees the items for all addresses; a
 * logged-in resident also sees those for their account's address. An item for some addresses is
 * not shown to anyone else: planned works on one street are noise for the rest of the city. A
 * withdrawn item (`news withdraw`) is shown to nobody.
 */
export function visibleNews(items: readonly StoredNews[], address: string | undefined): StoredNews[] {
  return items.filter(
    (item) =>
      item.withdrawnAt === undefined &&
      (item.addressFilters.length === 0 || (address !== undefined && addressMatches(address, item.addressFilters))),
  );
}

export async function newsFor(account: string | undefined, limit = NEWS_LIST_DEFAULT) {
  const [items, record] = await Promise.all([latestNews(), account ? getAccount(account) : undefined]);
  return {
    items: visibleNews(items, record?.address)
      .slice(0, limit)
      .map(({ id, title, publishedAt, text, html, addresses }) => ({ id, title, publishedAt, text, html, addresses })),
  };
}
