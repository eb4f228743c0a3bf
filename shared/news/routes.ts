import { NewsList, NewsListQuery } from '#shared/news/schemas';
import type { RouteDefinition } from '#shared/routes';

/**
 * The news list; served by the `residents` group, which knows the resident's session (a logged-in
 * resident also sees the items for their address). Publishing is the operator's CLI.
 */
export const NEWS_ROUTES = [
  {
    method: 'GET',
    path: '/api/news',
    group: 'residents',
    summary: 'Новости РАЦ, сначала новые; житель, вошедший в кабинет, видит и новости для своего адреса',
    tag: 'news',
    auth: false,
    query: NewsListQuery,
    success: { status: 200, body: NewsList },
  },
] as const satisfies readonly RouteDefinition[];
