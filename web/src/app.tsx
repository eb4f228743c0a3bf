import type { ComponentType } from 'preact';
import { LocationProvider, Route, Router } from 'preact-iso';
import { Layout } from './components/Layout';
import { Account } from './pages/Account';
import { EmailConfirm } from './pages/EmailConfirm';
import { Home } from './pages/Home';
import { Login } from './pages/Login';
import { NotFound } from './pages/NotFound';
import { ProfilePage } from './pages/Profile';
import { Recover } from './pages/Recover';
import { Register } from './pages/Register';
import { SectionPlaceholder } from './pages/SectionPlaceholder';
import { ConfirmRegistration, ResetPassword } from './pages/SetPassword';
import { Support } from './pages/Support';
import { PAGES, type PageDefinition, type PageId, pageById } from './routes';
import { RequireLogin, SessionProvider } from './session';

function placeholder(id: PageId): ComponentType {
  const page = pageById(id);
  return () => <SectionPlaceholder page={page} />;
}

/** The component of each page in the route table; a missing one fails to compile. */
const PAGE_COMPONENTS: Record<PageId, ComponentType> = {
  home: Home,
  account: Account,
  readings: placeholder('readings'),
  statement: placeholder('statement'),
  payments: placeholder('payments'),
  epd: placeholder('epd'),
  support: Support,
  tariffs: placeholder('tariffs'),
  login: Login,
  register: Register,
  confirm: ConfirmRegistration,
  recover: Recover,
  reset: ResetPassword,
  profile: ProfilePage,
  'email-confirm': EmailConfirm,
};

/** A page behind the login: built once per page, so the router keeps one component identity. */
function behindLogin(page: PageDefinition, Page: ComponentType): ComponentType {
  return () => (
    <RequireLogin title={page.title}>
      <Page />
    </RequireLogin>
  );
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
          <Router>
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
