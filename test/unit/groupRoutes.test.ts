import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AUTH_API } from '#shared/api/groups/auth';
import { EPD_API } from '#shared/api/groups/epd';
import { PAYMENTS_API } from '#shared/api/groups/payments';
import { READINGS_API } from '#shared/api/groups/readings';
import { RESIDENTS_API } from '#shared/api/groups/residents';
import { STATEMENT_API } from '#shared/api/groups/statement';
import { SYSTEM_API } from '#shared/api/groups/system';
import type { GroupRoutes, RouteDefinition } from '#shared/api/route';
import { FUNCTION_GROUPS, type FunctionGroupName } from '#shared/functions';
import { ROUTES, routeKey } from '#shared/routes';

/** Every group's own table, as its entry module passes it to httpApi. */
const TABLES: ReadonlyArray<GroupRoutes<FunctionGroupName, RouteDefinition>> = [
  SYSTEM_API,
  AUTH_API,
  RESIDENTS_API,
  READINGS_API,
  STATEMENT_API,
  PAYMENTS_API,
  EPD_API,
];

describe('each function group serves its own route table (issue 13: no group bundles another’s schemas)', () => {
  it('the group tables together are exactly the merged route table, each route in its own group’s table', () => {
    const fromTables = TABLES.flatMap((table) => table.routes.map((route) => `${table.group} ${routeKey(route)}`));
    const fromMerged = (ROUTES as readonly RouteDefinition[]).map((route) => `${route.group} ${routeKey(route)}`);
    expect([...fromTables].sort()).toEqual([...fromMerged].sort());
    for (const table of TABLES) for (const route of table.routes) expect(route.group).toBe(table.group);
  });

  it('every group with routes has a table, and its entry serves that table, not the merged one', () => {
    const groups = new Set((ROUTES as readonly RouteDefinition[]).map((route) => route.group));
    expect(new Set(TABLES.map((table) => table.group))).toEqual(groups);
    for (const group of groups) {
      const source = readFileSync(FUNCTION_GROUPS[group].entry, 'utf8');
      expect(source, group).toContain(`from '#shared/api/groups/${group}'`);
      // A static import of the merged table would put every group's schemas into this bundle.
      expect(source, group).not.toMatch(/^import [^;]* from '#shared\/routes';/m);
    }
  });
});
