import { type ComponentChildren, createContext } from 'preact';
import { useCallback, useContext, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { getMe, logout as logoutRequest, type Me } from './api/accounts';
import { ApiError } from './api/client';
import { PageFrame } from './components/PageFrame';
import { loginHref } from './navigation';

/**
 * Who is logged in. The session cookie is HttpOnly, so the page cannot read it: it asks GET /api/me
 * once on load and again after anything that opens or ends a session. A 401 means "not logged in";
 * any other failure (no network, a 5xx) is kept as `error`, so a protected page says so instead of
 * sending a logged-in resident to the login form.
 */
export interface SessionState {
  me: Me | null;
  /** True until the first answer of GET /api/me. */
  loading: boolean;
  error: ApiError | null;
  /** Asks GET /api/me again; resolves with the resident, or null when not logged in. */
  refresh: () => Promise<Me | null>;
  /** Ends the session on the server, then forgets it here. */
  logout: () => Promise<void>;
}

const SessionContext = createContext<SessionState | null>(null);

const UNKNOWN_ERROR = new ApiError(0, 'unexpected_response', 'Не удалось выполнить запрос. Повторите попытку позже.');

export function SessionProvider({ children }: { children: ComponentChildren }) {
  const [me, setMe] = useState<Me | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<ApiError | null>(null);
  // Answers may arrive out of order (a refresh racing a logout): only the latest request counts.
  const latest = useRef(0);

  const refresh = useCallback(async (): Promise<Me | null> => {
    const request = ++latest.current;
    let next: Me | null = null;
    let failure: ApiError | null = null;
    try {
      next = await getMe();
    } catch (caught) {
      if (!(caught instanceof ApiError)) failure = UNKNOWN_ERROR;
      else if (caught.status !== 401) failure = caught;
    }
    if (request === latest.current) {
      setMe(next);
      setError(failure);
      setLoading(false);
    }
    return next;
  }, []);

  const logout = useCallback(async () => {
    try {
      await logoutRequest();
    } finally {
      // Whatever the answer, ask the server again rather than assume: the cookie is not ours to read.
      await refresh();
    }
  }, [refresh]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const value = useMemo(() => ({ me, loading, error, refresh, logout }), [me, loading, error, refresh, logout]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}

/**
 * A page only a logged-in resident sees. Not logged in: the login page, asked to come back here.
 * While the session is being checked: the page's heading and a short note, so nothing flashes.
 */
export function RequireLogin({ title, at, children }: { title: string; at: string; children: ComponentChildren }) {
  const { me, loading, error, refresh } = useSession();
  const { url, path, route } = useLocation();
  // Only while the address is still this page's (`at`): a page kept mounted after the address has
  // moved on (to the login form, while its code loads; home, after «Выйти») routes nowhere, or it
  // would route again from the login address itself and lose where to come back to.
  const mustLogin = !loading && !me && !error && path === at;

  useEffect(() => {
    if (mustLogin) route(loginHref(url), true);
  }, [mustLogin, url, route]);

  if (me) return <>{children}</>;
  return (
    <PageFrame title={title}>
      {error ? (
        <div class="alert alert--error" role="alert">
          <p>{error.message}</p>
          <button type="button" class="button button--secondary button--small" onClick={() => void refresh()}>
            Повторить
          </button>
        </div>
      ) : (
        <p class="loading" role="status">
          Загрузка…
        </p>
      )}
    </PageFrame>
  );
}
