import { ACCOUNT_ROUTES } from '#shared/accounts/routes';
import { groupRoutes } from '#shared/api/route';

/** The routes the `auth` function group serves (its bundle carries these and no others). */
export const AUTH_API = groupRoutes('auth', ACCOUNT_ROUTES);
