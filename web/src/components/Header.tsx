import { useEffect, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { CENTRE } from '#shared/centre';
import { shortName } from '../format';
import { isCurrentPath, navPages } from '../routes';
import { useSession } from '../session';
import { AccountSwitcher } from './AccountSwitcher';
import { Logo } from './Logo';

const NAV_LIST_ID = 'site-nav-list';

/** «Войти», or whose cabinet is open and «Выйти». Nothing while the session is being checked. */
function SessionControls() {
  const { me, loading, logout } = useSession();
  const { route } = useLocation();
  const [leaving, setLeaving] = useState(false);

  if (loading) return <span class="site-header__session" />;
  if (!me) {
    return (
      <a class="button button--primary button--small site-header__login" href="/login">
        Войти
      </a>
    );
  }

  async function leave() {
    setLeaving(true);
    // Leave the private page first: it would otherwise send the resident to the login form.
    route('/');
    try {
      await logout();
    } catch {
      // The session check that follows logout says what is true; the header shows it.
    } finally {
      setLeaving(false);
    }
  }

  return (
    <div class="site-header__session">
      <AccountSwitcher />
      <a class="session-chip" href="/account" data-testid="session-account">
        <span class="session-chip__account">№&nbsp;{me.account}</span>
        <span class="session-chip__name">{shortName(me.owner)}</span>
      </a>
      <button
        type="button"
        class="button button--secondary button--small"
        onClick={() => void leave()}
        disabled={leaving}
        aria-busy={leaving}
      >
        Выйти
      </button>
    </div>
  );
}

export function Header() {
  const { path } = useLocation();
  const { me } = useSession();
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
      {/* A phone has no room for the full name of the site beside the resident's account. */}
      <div class={me ? 'container site-header__bar site-header__bar--session' : 'container site-header__bar'}>
        <a class="brand" href="/">
          <Logo />
          <span class="brand__text">
            {CENTRE.shortName}
            <span class="brand__suffix"> — личный кабинет</span>
          </span>
        </a>
        <SessionControls />
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
            {navPages(Boolean(me)).map((page) => (
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
