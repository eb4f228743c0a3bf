import { groupRoutes } from '#shared/api/route';
import { READING_ROUTES } from '#shared/readings/routes';

/** The routes the `readings` function group serves (its bundle carries these and no others). */
export const READINGS_API = groupRoutes('readings', READING_ROUTES);
