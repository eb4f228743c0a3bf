import { groupRoutes, type RouteDefinition } from '#shared/api/route';
import { HealthResponse, OpenApiResponse } from '#shared/api/schemas';

/** The health check and the OpenAPI document (group `system`, which also answers API Gateway's `$default`). */
export const SYSTEM_ROUTES = [
  {
    method: 'GET',
    path: '/api/health',
    group: 'system',
    summary: 'Проверка работоспособности',
    tag: 'system',
    auth: false,
    limit: 'edge',
    success: { status: 200, body: HealthResponse },
  },
  {
    method: 'GET',
    path: '/api/openapi.json',
    group: 'system',
    summary: 'Описание API в формате OpenAPI 3.1',
    tag: 'system',
    auth: false,
    limit: 'edge',
    success: { status: 200, body: OpenApiResponse },
  },
] as const satisfies readonly RouteDefinition[];

/** The routes the `system` function group serves (its bundle carries these and no others). */
export const SYSTEM_API = groupRoutes('system', SYSTEM_ROUTES);
