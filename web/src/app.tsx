import type { ComponentType } from 'preact';
import { LocationProvider, Route, Router } from 'preact-iso';
import { Layout } from './components/Layout';
import { Home } from './pages/Home';
import { NotFound } from './pages/NotFound';
import { SectionPlaceholder } from './pages/SectionPlaceholder';
import { PAGES, type PageId, pageById } from './routes';

function placeholder(id: PageId): ComponentType {
  const page = pageById(id);
  return () => <SectionPlaceholder page={page} />;
}

/** The component of each page in the route table; a missing one fails to compile. */
const PAGE_COMPONENTS: Record<PageId, ComponentType> = {
  home: Home,
  readings: placeholder('readings'),
  statement: placeholder('statement'),
  payments: placeholder('payments'),
  epd: placeholder('epd'),
  support: placeholder('support'),
  tariffs: placeholder('tariffs'),
  login: placeholder('login'),
  register: placeholder('register'),
};

export function App() {
  return (
    <LocationProvider>
      <Layout>
        <Router>
          {PAGES.map((page) => (
            <Route key={page.path} path={page.path} component={PAGE_COMPONENTS[page.id]} />
          ))}
          <Route default component={NotFound} />
        </Router>
      </Layout>
    </LocationProvider>
  );
}
