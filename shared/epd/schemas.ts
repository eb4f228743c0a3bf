import * as z from 'zod';
import { lazySchema } from '#shared/api/lazySchema';
import { Period } from '#shared/api/schemas';

/** The path of GET /api/epd/{period}. */
export const EpdPathParams = lazySchema(() =>
  z.object({
    period: Period.meta({ description: 'Расчётный период квитанции, ГГГГ-ММ' }),
  }),
);
