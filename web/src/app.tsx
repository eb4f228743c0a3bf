import type { ComponentType } from 'preact';
import { LocationProvider, lazy, Route, Router } from 'preact-iso';
import { Layout, showNewPage } from './components/Layout';
import { Home } from './pages/Home';
import { NotFound } from './pages/NotFound';
import { PAGES, type PageDefinition, type PageId } from './routes';
import { RequireLogin, SessionProvider } from './session';

/**
 * A page whose code is fetched when it is first shown, so the first load carries only the frame and
 * the home page (Chart.js and decimal.js come only with the readings pages that use them).
 */
type LazyPage = ComponentType & { preload?: () => Promise<unknown> };

/**
 * A deploy replaces the hashed files, so a tab opened before it asks for chunks that are gone: the
 * page is loaded anew, which brings the current ones. Once per page and tab, so a real outage
 * leaves the page as it is instead of reloading in a loop.
 */
function lazyPage(load: () => Promise<ComponentType>): LazyPage {
  return lazy<ComponentType>(() => {
    const reloaded = `rac:reloaded:${location.pathname}`;
    return load().then(
      (component) => {
        sessionStorage.removeItem(reloaded);
        return component;
      },
      (error: unknown) => {
        if (sessionStorage.getItem(reloaded)) throw error;
        sessionStorage.setItem(reloaded, '1');
        location.reload();
        return new Promise<never>(() => {});
      },
    );
  });
}

/** The component of each page in the route table; a missing one fails to compile. */
const PAGE_COMPONENTS: Record<PageId, LazyPage> = {
  home: Home,
  account: lazyPage(() => import('./pages/Account').then((m) => m.Account)),
  readings: lazyPage(() => import('./pages/Readings').then((m) => m.Readings)),
  'readings-history': lazyPage(() => import('./pages/ReadingsHistory').then((m) => m.ReadingsHistory)),
  'readings-quick': lazyPage(() => import('./pages/QuickReadings').then((m) => m.QuickReadings)),
  statement: lazyPage(() => import('./pages/Statement').then((m) => m.Statement)),
  payments: lazyPage(() => import('./pages/Payments').then((m) => m.Payments)),
  'payment-return': lazyPage(() => import('./pages/PaymentReturn').then((m) => m.PaymentReturn)),
  'payment-receipt': lazyPage(() => import('./pages/PaymentReceipt').then((m) => m.PaymentReceipt)),
  pay: lazyPage(() => import('./pages/Pay').then((m) => m.Pay)),
  'pay-result': lazyPage(() => import('./pages/PayResult').then((m) => m.PayResult)),
  epd: lazyPage(() => import('./pages/Epd').then((m) => m.EpdPage)),
  support: lazyPage(() => import('./pages/Support').then((m) => m.Support)),
  tariffs: lazyPage(() => import('./pages/Tariffs').then((m) => m.Tariffs)),
  news: lazyPage(() => import('./pages/News').then((m) => m.News)),
  login: lazyPage(() => import('./pages/Login').then((m) => m.Login)),
  register: lazyPage(() => import('./pages/Register').then((m) => m.Register)),
  confirm: lazyPage(() => import('./pages/SetPassword').then((m) => m.ConfirmRegistration)),
  recover: lazyPage(() => import('./pages/Recover').then((m) => m.Recover)),
  reset: lazyPage(() => import('./pages/SetPassword').then((m) => m.ResetPassword)),
  profile: lazyPage(() => import('./pages/Profile').then((m) => m.ProfilePage)),
  'email-confirm': lazyPage(() => import('./pages/EmailConfirm').then((m) => m.EmailConfirm)),
  'email-undo': lazyPage(() => import('./pages/EmailUndo').then((m) => m.EmailUndo)),
};

/**
 * A page behind the login: built once per page, so the router keeps one component identity. Its
 * code is fetched at once, alongside the session check, rather than after the check answers.
 */
function behindLogin(page: PageDefinition, Page: LazyPage): ComponentType {
  return () => {
    void Page.preload?.();
    return (
      <RequireLogin title={page.title} at={page.path}>
        <Page />
      </RequireLogin>
    );
  };
}

const ROUTED = PAGES.map((page: PageDefinition) => {
  const component = PAGE_COMPONENTS[page.id as PageId];
  return { path: page.path, component: page.requiresLogin ? behindLogin(page, component) : component };
});

export function App() {
  return (
    <LocationProvider>
      <SessionProvider>
        <Layout>
          <Router onRouteChange={showNewPage}>
            {ROUTED.map((page) => (
              <Route key={page.path} path={page.path} component={page.component} />
            ))}
            <Route default component={NotFound} />
          </Router>
        </Layout>
      </SessionProvider>
    </LocationProvider>
  );
}
