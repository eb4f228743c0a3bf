import type { RouteDefinition } from '#shared/routes';

/** The ЕПД as PDF (group `epd`, which carries Chromium; see shared/functions.ts). */
export const EPD_ROUTES = [
  {
    method: 'GET',
    path: '/api/epd/{period}',
    group: 'epd',
    summary: 'Единый платёжный документ (ЕПД) за месяц в PDF',
    tag: 'epd',
    auth: true,
    success: { status: 200, contentType: 'application/pdf' },
    errors: ['invalid_input', 'no_bill'],
  },
] as const satisfies readonly RouteDefinition[];
