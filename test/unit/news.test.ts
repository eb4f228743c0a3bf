import { describe, expect, it } from 'vitest';
import { addressMatches, normaliseAddress, splitAddressFilters } from '#shared/news/addresses';
import { visibleNews } from '#shared/news/feed';
import { formatOfFile, renderNewsHtml } from '#shared/news/render';
import type { StoredNews } from '#shared/news/store';

/** Address matching of news for some addresses, and the safety of the HTML rendered from a news text. */

const matches = (address: string, ...filters: string[]) => addressMatches(address, filters.map(normaliseAddress));

describe('news for some addresses', () => {
  it('matches a district or a street however the registry spells it', () => {
    expect(matches('г. Старый Оскол, мкр. Жукова, д. 12, кв. 45', 'мкр. Жукова')).toBe(true);
    expect(matches('микрорайон Жукова, дом 12, квартира 45', 'мкр. Жукова')).toBe(true);
    expect(matches('МКР ЖУКОВА д.12', 'мкр. жукова')).toBe(true);
    expect(matches('мкр. Королёва, д. 9, кв. 120', 'мкр Королева')).toBe(true);
    expect(matches('ул. Ленина, д. 41, кв. 3', 'улица Ленина')).toBe(true);
  });

  it('matches whole words only: house 4 is not house 41, Жукова is not Жуковского', () => {
    expect(matches('ул. Ленина, д. 41, кв. 3', 'ул. Ленина, д. 4')).toBe(false);
    expect(matches('ул. Ленина, д. 4, кв. 3', 'ул. Ленина, д. 4')).toBe(true);
    expect(matches('ул. Жуковского, д. 1', 'Жукова')).toBe(false);
    expect(matches('мкр. Олимпийский, д. 6', 'мкр. Жукова')).toBe(false);
    // A house letter written together or apart is one house.
    expect(matches('ул. Ленина, д. 12а', 'ул. Ленина, д. 12 а')).toBe(true);
    expect(matches('ул. Ленина, д. 12', 'ул. Ленина, д. 12а')).toBe(false);
  });

  it('any of several filters matches; none at all means everyone', () => {
    expect(matches('мкр. Олимпийский, д. 6', 'мкр. Жукова', 'мкр. Олимпийский')).toBe(true);
    expect(addressMatches('мкр. Олимпийский, д. 6', [])).toBe(true);
    expect(splitAddressFilters(' мкр. Жукова ; ул. Ленина, д. 41;; ')).toEqual(['мкр. Жукова', 'ул. Ленина, д. 41']);
  });

  it('a visitor sees general news only; a resident also those for their address', () => {
    const item = (id: string, addresses: string[]): StoredNews => ({
      id,
      title: id,
      publishedAt: '2026-11-26T07:00:00.000Z',
      text: id,
      format: 'text',
      html: `<p>${id}</p>`,
      addresses,
      addressFilters: addresses.map(normaliseAddress),
    });
    const items = [item('zhukova', ['мкр. Жукова']), item('all', []), item('lenina', ['ул. Ленина'])];
    expect(visibleNews(items, undefined).map((n) => n.id)).toEqual(['all']);
    expect(visibleNews(items, 'мкр. Жукова, д. 12, кв. 45').map((n) => n.id)).toEqual(['zhukova', 'all']);
    expect(visibleNews(items, 'мкр. Восточный, д. 15').map((n) => n.id)).toEqual(['all']);
    // A withdrawn item is shown to nobody, whatever its addresses.
    const withdrawn = (news: StoredNews): StoredNews => ({ ...news, withdrawnAt: '2026-11-26T08:00:00.000Z' });
    const after = [withdrawn(item('zhukova', ['мкр. Жукова'])), withdrawn(item('gone', [])), item('all', [])];
    expect(visibleNews(after, undefined).map((n) => n.id)).toEqual(['all']);
    expect(visibleNews(after, 'мкр. Жукова, д. 12, кв. 45').map((n) => n.id)).toEqual(['all']);
  });
});

describe('news text as HTML', () => {
  const md = (text: string) => renderNewsHtml(text, 'markdown');

  it('renders Markdown: emphasis, lists, links, headings below the item’s title', () => {
    const html = md(
      '# Отключение воды\n\n**27 ноября** с 9:00 до 17:00:\n\n- д. 12\n- д. 14\n\n[График](https://rac-oskol.ru/plan)',
    );
    expect(html).toContain('<h3>Отключение воды</h3>');
    expect(html).toContain('<strong>27 ноября</strong>');
    expect(html).toContain('<li>д. 12</li>');
    expect(html).toContain('<a href="https://rac-oskol.ru/plan" rel="noopener noreferrer nofollow">График</a>');
  });

  it('never passes raw HTML through: script tags and event handlers come out as text', () => {
    const html = md('<script>alert(1)</script>\n\nтекст <img src=x onerror=alert(1)> и <b onclick="x()">жирный</b>');
    expect(html).not.toMatch(/<script|<img|<b[\s>]/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('drops links with schemes outside the allow-list, however they are spelled', () => {
    for (const href of [
      'javascript:alert(1)',
      'JaVaScRiPt:alert(1)',
      'javascript&#58;alert(1)',
      'java\tscript:alert(1)',
      'vbscript:msgbox(1)',
      'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
      '//evil.example/x',
      'file:///etc/passwd',
    ]) {
      const html = md(`[нажмите](${href}) и <${href}>`);
      // Left as text: no link element at all, so nothing to click.
      expect(html, href).not.toContain('<a');
      expect(html, href).not.toContain('href=');
    }
    expect(md('[сайт](/news) [почта](mailto:rac@example.ru) [телефон](tel:+74725000000)')).toMatch(
      /href="\/news".*href="mailto:rac@example.ru".*href="tel:\+74725000000"/,
    );
  });

  it('leaves images out: no remote picture is loaded from a mail or the page', () => {
    const html = md('![пиксель](https://tracker.example/p.gif)');
    expect(html).not.toContain('<img');
  });

  it('plain text is escaped, with its paragraphs and line breaks kept', () => {
    expect(renderNewsHtml('Уважаемые жители!\nВоды не будет.\n\n<b>27.11</b> & 28.11', 'text')).toBe(
      '<p>Уважаемые жители!<br>Воды не будет.</p>\n<p>&lt;b&gt;27.11&lt;/b&gt; &amp; 28.11</p>',
    );
    expect(formatOfFile('news/water.md')).toBe('markdown');
    expect(formatOfFile('news/water.MARKDOWN')).toBe('markdown');
    expect(formatOfFile('news/water.txt')).toBe('text');
  });
});
