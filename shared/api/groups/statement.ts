import { groupRoutes } from '#shared/api/route';
import { BILLING_ROUTES } from '#shared/billing/routes';

/** The routes the `statement` function group serves (its bundle carries these and no others). */
export const STATEMENT_API = groupRoutes('statement', BILLING_ROUTES);
