import { useEffect, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { isCurrentPath, navPages } from '../routes';
import { Logo } from './Logo';

const NAV_LIST_ID = 'site-nav-list';

export function Header() {
  const { path } = useLocation();
  const [menuOpen, setMenuOpen] = useState(false);

  // A chosen link closes the menu on small screens.
  useEffect(() => setMenuOpen(false), [path]);

  const closeOnEscape = (event: KeyboardEvent) => {
    if (event.key === 'Escape' && menuOpen) {
      setMenuOpen(false);
      document.getElementById('site-nav-toggle')?.focus();
    }
  };

  return (
    <header class="site-header">
      <div class="container site-header__bar">
        <a class="brand" href="/">
          <Logo />
          <span class="brand__text">РАЦ Старый Оскол — личный кабинет</span>
        </a>
        <a class="button button--primary button--small site-header__login" href="/login">
          Войти
        </a>
      </div>
      <nav class="site-nav" aria-label="Основное меню" onKeyDown={closeOnEscape}>
        <div class="container">
          <button
            id="site-nav-toggle"
            class="site-nav__toggle"
            type="button"
            aria-expanded={menuOpen}
            aria-controls={NAV_LIST_ID}
            onClick={() => setMenuOpen(!menuOpen)}
          >
            <span class="site-nav__toggle-icon" aria-hidden="true" />
            Меню
          </button>
          <ul id={NAV_LIST_ID} class={menuOpen ? 'site-nav__list site-nav__list--open' : 'site-nav__list'}>
            {navPages().map((page) => (
              <li key={page.path}>
                <a
                  class="site-nav__link"
                  href={page.path}
                  aria-current={isCurrentPath(page.path, path) ? 'page' : undefined}
                >
                  {page.navLabel}
                </a>
              </li>
            ))}
          </ul>
        </div>
      </nav>
    </header>
  );
}
