import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { FUNCTION_GROUPS, type FunctionGroupName } from '#shared/functions';
import { httpRoutes } from '#shared/http/api';
import { ROUTES, type RouteDefinition, routeKey } from '#shared/routes';
import { httpEvent, lambdaContext } from '#test/support/events';

type Entry = (event: unknown, context: typeof lambdaContext) => Promise<unknown>;

/** The entry module of a group, loaded as the Lambda runtime and the local gateway load it. */
async function entryOf(group: FunctionGroupName): Promise<Entry> {
  const module = (await import(`../../${FUNCTION_GROUPS[group].entry.replace(/\.ts$/, '')}`)) as { handler: Entry };
  return module.handler;
}

const groupsWithRoutes = [...new Set(ROUTES.map((route) => route.group))];

describe('every route of the route table has a handler in its group', () => {
  it.each(groupsWithRoutes)('%s builds with a handler for each of its routes', async (group) => {
    // httpApi refuses to build a group with a route left unhandled, so loading the entry is the check.
    await expect(entryOf(group)).resolves.toBeTypeOf('function');
  });

  it.each(ROUTES.filter((route) => route.auth).map((route) => [routeKey(route), route] as const))(
    '%s reaches its handler’s session check (401, not 404)',
    async (_key, route) => {
      const handler = await entryOf(route.group);
      const path = route.path.replace(/\{(\w+)\}/g, 'x');
      const event = httpEvent(route.method, path, {
        routePath: route.path,
        headers: { 'x-requested-with': 'XMLHttpRequest', 'content-type': 'application/json' },
        ...(route.method === 'GET' ? {} : { body: '{}' }),
      });
      const response = (await handler(event, lambdaContext)) as { statusCode: number; body: string };
      expect([response.statusCode, JSON.parse(response.body).error.code]).toEqual([401, 'unauthorized']);
    },
  );

  it('refuses to build a group that leaves a route without a handler', () => {
    const routes = [
      {
        method: 'GET',
        path: '/api/one',
        group: 'system',
        summary: 'one',
        tag: 'test',
        auth: false,
        success: { status: 200 },
      },
      {
        method: 'POST',
        path: '/api/two',
        group: 'system',
        summary: 'two',
        tag: 'test',
        auth: false,
        body: z.object({}),
        success: { status: 201 },
      },
    ] as const satisfies readonly RouteDefinition[];
    const onlyOne = { 'GET /api/one': () => ({ body: {} }) } as unknown as Parameters<
      typeof httpRoutes<(typeof routes)[number]>
    >[1];
    expect(() => httpRoutes(routes, onlyOne)).toThrow(/POST \/api\/two has no handler/);
  });
});
