import { randomBytes } from 'node:crypto';
import { DomainError } from '#shared/errors';
import { normaliseAddress } from '#shared/news/addresses';
import { queueNewsMailing } from '#shared/news/mailing';
import { renderNewsHtml } from '#shared/news/render';
import { NewsDraft } from '#shared/news/schemas';
import { putNews, type StoredNews } from '#shared/news/store';
import { now } from '#shared/time';

/**
 * The operator's publication (`news publish`): checks the draft, renders its HTML once, stores the
 * item and queues its mailing to subscribers. Bad input is refused with `invalid_news` before
 * anything is written.
 */

/** `20261126T071500Z-3fa94c1b`: sorts by publication time, readable in the operator's list. */
export function newsIdAt(at: Date): string {
  const stamp = at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  return `${stamp}-${randomBytes(4).toString('hex')}`;
}

export async function publishNews(draft: NewsDraft): Promise<{ news: StoredNews; shards: number }> {
  const parsed = NewsDraft.safeParse(draft);
  if (!parsed.success) {
    const fields: Record<string, string> = {};
    for (const issue of parsed.error.issues) fields[issue.path.join('.') || '_'] ??= issue.message;
    throw DomainError.of('invalid_news', { detail: parsed.error.issues[0]?.message, fields });
  }
  const input = parsed.data;
  const addressFilters = input.addresses.map(normaliseAddress);
  const empty = input.addresses.find((_, i) => addressFilters[i] === '');
  if (empty !== undefined) {
    throw DomainError.of('invalid_news', { detail: `Адрес «${empty}» не содержит ни одного слова` });
  }
  const at = now();
  const news: StoredNews = {
    id: newsIdAt(at),
    title: input.title,
    publishedAt: at.toISOString(),
    text: input.text,
    format: input.format,
    html: renderNewsHtml(input.text, input.format),
    addresses: input.addresses,
    addressFilters: [...new Set(addressFilters)],
  };
  await putNews(news);
  const shards = await queueNewsMailing(news.id);
  return { news, shards };
}
