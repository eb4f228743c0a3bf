import { ACCOUNT_ROUTES } from '#shared/accounts/routes';
import { SYSTEM_ROUTES } from '#shared/api/groups/system';
import { matchPath, type RouteDefinition } from '#shared/api/route';
import { BILLING_ROUTES } from '#shared/billing/routes';
import { EPD_ROUTES } from '#shared/epd/routes';
import { NEWS_ROUTES } from '#shared/news/routes';
import { PAYMENT_ROUTES } from '#shared/payments/routes';
import { READING_ROUTES } from '#shared/readings/routes';
import { SUPPORT_ROUTES } from '#shared/support/routes';

export {
  type GroupRoutes,
  groupRoutes,
  type HttpMethod,
  matchPath,
  type RouteDefinition,
  type RouteKey,
  routeKey,
} from '#shared/api/route';

/**
 * Every HTTP route, listed once: the merged view of the capability lists. The CDK stack turns each
 * into an HTTP API route integrated with its group's Lambda; the local gateway matches requests
 * against the same list; the OpenAPI document is generated from the schemas named here. A group's
 * Lambda never imports this module: it serves its own table (shared/api/groups/<group>.ts, the
 * same lists filtered by group), so its bundle builds no other group's schemas at cold start.
 */
export const ROUTES = [
  ...SYSTEM_ROUTES,
  ...ACCOUNT_ROUTES,
  ...SUPPORT_ROUTES,
  ...NEWS_ROUTES,
  ...BILLING_ROUTES,
  ...READING_ROUTES,
  ...PAYMENT_ROUTES,
  ...EPD_ROUTES,
] as const satisfies readonly RouteDefinition[];

export function findRoute(
  method: string,
  path: string,
): { route: RouteDefinition; pathParameters: Record<string, string> } | undefined {
  for (const route of ROUTES as readonly RouteDefinition[]) {
    if (route.method !== method) continue;
    const pathParameters = matchPath(route.path, path);
    if (pathParameters) return { route, pathParameters };
  }
  return undefined;
}

/** Paths that exist, for answering 405 instead of 404 when only the method is wrong. */
export function pathExists(path: string): boolean {
  return (ROUTES as readonly RouteDefinition[]).some((r) => matchPath(r.path, path));
}
