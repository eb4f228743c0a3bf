import { describe, expect, it } from 'vitest';
import {
  documentTitle,
  isCurrentPath,
  NOT_FOUND_TITLE,
  navPages,
  PAGES,
  type PageDefinition,
  servicePages,
} from '../../web/src/routes';

const pages: readonly PageDefinition[] = PAGES;

describe('web route table', () => {
  it('has every page the portal promises', () => {
    expect(pages.map((page) => page.path).sort()).toEqual(
      [
        '/',
        '/account',
        '/confirm',
        '/email-confirm',
        '/email-undo',
        '/epd',
        '/login',
        '/news',
        '/pay',
        '/pay/result',
        '/payments',
        '/payments/receipt',
        '/payments/return',
        '/profile',
        '/readings',
        '/readings/history',
        '/readings/quick',
        '/recover',
        '/register',
        '/reset',
        '/statement',
        '/support',
        '/tariffs',
      ].sort(),
    );
  });

  it('gives each page a unique id and path', () => {
    expect(new Set(pages.map((page) => page.id)).size).toBe(pages.length);
    expect(new Set(pages.map((page) => page.path)).size).toBe(pages.length);
  });

  it('titles every page in Russian', () => {
    for (const page of pages) expect(page.title).toMatch(/^[А-ЯЁ][а-яёА-ЯЁ .,—-]+$/);
  });

  it('describes every section except the home page, for the home page and the quick links', () => {
    for (const page of pages.filter((candidate) => candidate.path !== '/')) {
      expect(page.summary, page.path).toBeTruthy();
    }
  });

  it('lists on the home page the services the cabinet offers', () => {
    expect(servicePages().map((page) => page.path)).toEqual([
      '/readings',
      '/statement',
      '/payments',
      '/epd',
      '/support',
    ]);
  });

  it('keeps login, registration and the mailed-link pages out of the main navigation', () => {
    const paths = navPages().map((page) => page.path);
    expect(paths[0]).toBe('/');
    for (const path of ['/login', '/register', '/confirm', '/reset', '/recover', '/email-confirm', '/email-undo']) {
      expect(paths).not.toContain(path);
    }
    for (const page of navPages()) expect(page.navLabel).toBeTruthy();
  });

  it('gives a visitor who is not logged in the no-login readings and payment instead of the pages behind the login', () => {
    const guest = navPages(false);
    expect(guest.map((page) => page.navLabel)).toEqual(
      expect.arrayContaining(['Показания без входа', 'Оплата без входа']),
    );
    expect(guest.find((page) => page.navLabel === 'Показания без входа')?.path).toBe('/readings/quick');
    expect(guest.find((page) => page.navLabel === 'Оплата без входа')?.path).toBe('/pay');
    for (const page of guest) expect(page.requiresLogin ?? false, page.path).toBe(false);
    const resident = navPages(true).map((page) => page.path);
    expect(resident).toContain('/readings');
    expect(resident).not.toContain('/readings/quick');
  });

  it("puts the resident's own pages behind the login, and leaves the rest open", () => {
    const closed = pages.filter((page) => page.requiresLogin).map((page) => page.path);
    expect(closed.sort()).toEqual([
      '/account',
      '/epd',
      '/payments',
      '/payments/receipt',
      '/payments/return',
      '/profile',
      '/readings',
      '/readings/history',
      '/statement',
    ]);
    // Anyone may write to the centre; the list of one's own tickets shows only after login.
    expect(closed).not.toContain('/support');
  });
});

describe('web page titles and navigation state', () => {
  it('names the page, then the centre', () => {
    expect(documentTitle('Главная')).toBe('Главная — РАЦ Старый Оскол');
    expect(documentTitle(NOT_FOUND_TITLE)).toBe('Страница не найдена — РАЦ Старый Оскол');
  });

  it('marks a section current on its own path and its sub-pages, the home page only on itself', () => {
    expect(isCurrentPath('/', '/')).toBe(true);
    expect(isCurrentPath('/', '/payments')).toBe(false);
    expect(isCurrentPath('/payments', '/payments')).toBe(true);
    expect(isCurrentPath('/payments', '/payments/abc')).toBe(true);
    expect(isCurrentPath('/payments', '/payments-archive')).toBe(false);
  });
});
