import type { RouteDefinition } from '#shared/routes';
import { SupportCreated, SupportList, SupportRequest } from '#shared/support/schemas';

/** Support requests; served by the `residents` group, which already knows the resident's session. */
export const SUPPORT_ROUTES = [
  {
    method: 'POST',
    path: '/api/support',
    group: 'residents',
    summary: 'Обращение в РАЦ (в т. ч. заявка на закрытие личного кабинета)',
    tag: 'support',
    auth: false,
    body: SupportRequest,
    success: { status: 201, body: SupportCreated },
    errors: ['invalid_captcha'],
  },
  {
    method: 'GET',
    path: '/api/support',
    group: 'residents',
    summary: 'Обращения жителя',
    tag: 'support',
    auth: true,
    success: { status: 200, body: SupportList },
  },
] as const satisfies readonly RouteDefinition[];
