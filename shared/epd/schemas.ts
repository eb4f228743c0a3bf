import * as z from 'zod';
import { Period } from '#shared/api/schemas';

/** The path of GET /api/epd/{period}. */
export const EpdPathParams = z.object({
  period: Period.meta({ description: 'Расчётный период квитанции, ГГГГ-ММ' }),
});
