import * as z from 'zod/mini';
import { lazySchema } from '#shared/api/lazySchema';
import { Period } from '#shared/api/schemas';

/** The path of GET /api/epd/{period}. */
export const EpdPathParams = /* @__PURE__ */ lazySchema(() =>
  z.object({
    period: Period.check(z.meta({ description: 'Расчётный период квитанции, ГГГГ-ММ' })),
  }),
);
