import type { ComponentType } from 'preact';
import { LocationProvider, Route, Router } from 'preact-iso';
import { Layout } from './components/Layout';
import { Account } from './pages/Account';
import { EmailConfirm } from './pages/EmailConfirm';
import { EmailUndo } from './pages/EmailUndo';
import { EpdPage } from './pages/Epd';
import { Home } from './pages/Home';
import { Login } from './pages/Login';
import { NotFound } from './pages/NotFound';
import { PaymentReceipt } from './pages/PaymentReceipt';
import { PaymentReturn } from './pages/PaymentReturn';
import { Payments } from './pages/Payments';
import { ProfilePage } from './pages/Profile';
import { QuickReadings } from './pages/QuickReadings';
import { Readings } from './pages/Readings';
import { ReadingsHistory } from './pages/ReadingsHistory';
import { Recover } from './pages/Recover';
import { Register } from './pages/Register';
import { ConfirmRegistration, ResetPassword } from './pages/SetPassword';
import { Statement } from './pages/Statement';
import { Support } from './pages/Support';
import { Tariffs } from './pages/Tariffs';
import { PAGES, type PageDefinition, type PageId } from './routes';
import { RequireLogin, SessionProvider } from './session';

/** The component of each page in the route table; a missing one fails to compile. */
const PAGE_COMPONENTS: Record<PageId, ComponentType> = {
  home: Home,
  account: Account,
  readings: Readings,
  'readings-history': ReadingsHistory,
  'readings-quick': QuickReadings,
  statement: Statement,
  payments: Payments,
  'payment-return': PaymentReturn,
  'payment-receipt': PaymentReceipt,
  epd: EpdPage,
  support: Support,
  tariffs: Tariffs,
  login: Login,
  register: Register,
  confirm: ConfirmRegistration,
  recover: Recover,
  reset: ResetPassword,
  profile: ProfilePage,
  'email-confirm': EmailConfirm,
  'email-undo': EmailUndo,
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
