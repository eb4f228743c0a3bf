import { groupRoutes } from '#shared/api/route';
import { PAYMENT_ROUTES } from '#shared/payments/routes';

/** The routes the `payments` function group serves (its bundle carries these and no others). */
export const PAYMENTS_API = groupRoutes('payments', PAYMENT_ROUTES);
