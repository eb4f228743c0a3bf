import { CENTRE } from '#shared/centre';
import type { Mail } from '#shared/clients/mail';
import { config } from '#shared/config';
import { escapeHtml } from '#shared/format';
import type { StoredNews } from '#shared/news/store';

/**
 * A news item to a subscriber: the text as published (its stored, already safe HTML in the HTML
 * part), a link to all news, and how to stop the mail. It goes out as bulk mail, which carries
 * List-Unsubscribe (shared/clients/mail.ts) like the reminders and the ЕПД.
 */
export function newsMail(to: string, news: StoredNews): Mail {
  const url = `${config().publicUrl}/news`;
  const unsubscribe = 'Рассылку новостей можно отключить в личном кабинете, в разделе «Профиль».';
  const footer = `${CENTRE.shortName}. Письмо отправлено автоматически, отвечать на него не нужно.`;
  return {
    to,
    subject: news.title,
    text: `${news.title}\n\n${news.text}\n\nВсе новости:\n${url}\n\n${unsubscribe}\n${footer}`,
    html:
      `<h1>${escapeHtml(news.title)}</h1>${news.html}` +
      `<p><a href="${escapeHtml(url)}">Все новости</a></p>` +
      `<p>${escapeHtml(unsubscribe)}<br>${escapeHtml(footer)}</p>`,
  };
}
