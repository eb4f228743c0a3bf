import { groupRoutes } from '#shared/api/route';
import { EPD_ROUTES } from '#shared/epd/routes';

/** The routes the `epd` function group serves (its bundle carries these and no others). */
export const EPD_API = groupRoutes('epd', EPD_ROUTES);
