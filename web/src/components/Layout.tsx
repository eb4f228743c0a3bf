import type { ComponentChildren } from 'preact';
import { Footer } from './Footer';
import { Header } from './Header';

/**
 * After a navigation inside the app the browser keeps focus and scroll where they were, so the new
 * page's heading gets both, as a page load would. The router calls this once the new page has
 * rendered: a page whose code is still loading has no heading yet.
 */
export function showNewPage(): void {
  window.scrollTo(0, 0);
  const main = document.getElementById('main');
  const heading = main?.querySelector<HTMLElement>('h1');
  (heading ?? main)?.focus({ preventScroll: true });
}

/** The frame around every page. */
export function Layout({ children }: { children: ComponentChildren }) {
  return (
    <>
      <a class="skip-link" href="#main">
        Перейти к основному содержанию
      </a>
      <Header />
      <main id="main" class="site-main container" tabIndex={-1}>
        {children}
      </main>
      <Footer />
    </>
  );
}
