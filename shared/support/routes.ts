import type { RouteDefinition } from '#shared/routes';
import {
  SupportCreated,
  SupportList,
  SupportMessageRequest,
  SupportRequest,
  SupportTicket,
} from '#shared/support/schemas';

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
    errors: ['invalid_captcha', 'too_many_attempts'],
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
  {
    method: 'POST',
    path: '/api/support/{id}/messages',
    group: 'residents',
    summary: 'Сообщение жителя в обращении (ответ на ответ РАЦ)',
    tag: 'support',
    auth: true,
    body: SupportMessageRequest,
    success: { status: 201, body: SupportTicket },
    errors: ['ticket_not_found', 'ticket_closed', 'ticket_too_long'],
  },
] as const satisfies readonly RouteDefinition[];
