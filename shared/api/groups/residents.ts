import { ACCOUNT_ROUTES } from '#shared/accounts/routes';
import { groupRoutes } from '#shared/api/route';
import { NEWS_ROUTES } from '#shared/news/routes';
import { SUPPORT_ROUTES } from '#shared/support/routes';

/** The routes the `residents` function group serves (its bundle carries these and no others). */
export const RESIDENTS_API = groupRoutes('residents', ACCOUNT_ROUTES, SUPPORT_ROUTES, NEWS_ROUTES);
