import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { Footer } from './Footer';
import { Header } from './Header';

/**
 * The frame around every page. After a navigation inside the app the browser keeps focus and
 * scroll where they were, so the layout moves both to the new page's heading, as a page load would.
 */
export function Layout({ children }: { children: ComponentChildren }) {
  const { path } = useLocation();
  const mainRef = useRef<HTMLElement>(null);
  const firstRender = useRef(true);

  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    window.scrollTo(0, 0);
    const heading = mainRef.current?.querySelector<HTMLElement>('h1');
    (heading ?? mainRef.current)?.focus({ preventScroll: true });
  }, [path]);

  return (
    <>
      <a class="skip-link" href="#main">
        Перейти к основному содержанию
      </a>
      <Header />
      <main id="main" class="site-main container" tabIndex={-1} ref={mainRef}>
        {children}
      </main>
      <Footer />
    </>
  );
}
