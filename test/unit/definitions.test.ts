import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '#shared/config';
import { FUNCTION_GROUPS, type FunctionGroup } from '#shared/functions';
import { addressLimitOf } from '#shared/limits/sourceAddress';
import { findRoute, matchPath, ROUTES, type RouteDefinition, routeKey } from '#shared/routes';
import { eventBridgeCron, scheduleDefinitions, unixCron } from '#shared/schedules';

describe('the route table', () => {
  it('has unique route keys, each served by an existing function group', () => {
    const keys = ROUTES.map(routeKey);
    expect(new Set(keys).size).toBe(keys.length);
    for (const route of ROUTES) {
      expect(FUNCTION_GROUPS[route.group]).toBeDefined();
      expect(route.path.startsWith('/api/')).toBe(true);
    }
  });

  it('matches path parameters and nothing looser', () => {
    expect(matchPath('/api/payments/{id}', '/api/payments/abc')).toEqual({ id: 'abc' });
    expect(matchPath('/api/payments/{id}', '/api/payments/')).toBeUndefined();
    expect(matchPath('/api/payments/{id}', '/api/payments/a/b')).toBeUndefined();
    // A malformed %-escape names no resource: no match (a 404), never a URIError (a 500).
    expect(matchPath('/api/banks/{bank}/check', '/api/banks/%E0/check')).toBeUndefined();
    expect(matchPath('/api/banks/{bank}/check', '/api/banks/%C3%A9/check')).toEqual({ bank: 'é' });
    expect(findRoute('GET', '/api/health')?.route.group).toBe('system');
    expect(findRoute('POST', '/api/health')).toBeUndefined();
  });

  it('limits per address only in groups that may write the limit counters (else AccessDenied → 500 in AWS)', () => {
    const limited = ROUTES.filter((route) => addressLimitOf(route) !== undefined);
    expect(limited.length).toBeGreaterThan(5);
    for (const route of limited) {
      const group: FunctionGroup = FUNCTION_GROUPS[route.group];
      expect(group.tableAccess, routeKey(route)).toBe('readwrite');
      if (group.writesKeyPrefixes) expect(group.writesKeyPrefixes, routeKey(route)).toContain('LIMIT#');
    }
    // The constant public documents are limited at the edge, so their groups need no write access.
    expect(addressLimitOf(findRoute('GET', '/api/health')?.route as RouteDefinition)).toBeUndefined();
    expect(addressLimitOf(findRoute('GET', '/api/tariffs')?.route as RouteDefinition)).toBeUndefined();
  });

  it('names entry modules that exist', () => {
    for (const group of Object.values(FUNCTION_GROUPS)) expect(existsSync(group.entry)).toBe(true);
  });
});

describe('schedules', () => {
  it('open the window on the configured day and close it on the 1st, at midnight', () => {
    const [open, close] = scheduleDefinitions({ windowOpenDay: 25, windowCloseDay: 1 });
    expect(open && eventBridgeCron(open.cron)).toBe('cron(0 0 25 * ? *)');
    expect(close && unixCron(close.cron)).toBe('0 0 1 * *');
  });
});

describe('configuration', () => {
  it('refuses test mode outside the local runtime', () => {
    expect(() => loadConfig({ RAC_RUNTIME: 'aws', RAC_TEST_MODE: '1' })).toThrow(/RAC_TEST_MODE/);
    expect(loadConfig({ RAC_RUNTIME: 'local', RAC_TEST_MODE: '1' }).testMode).toBe(true);
  });

  it('refuses a pinned clock (RAC_NOW) outside the local runtime', () => {
    expect(() => loadConfig({ RAC_RUNTIME: 'aws', RAC_NOW: '2026-11-26T10:00:00+03:00' })).toThrow(/RAC_NOW/);
    expect(loadConfig({ RAC_RUNTIME: 'aws' }).now).toBeUndefined();
    expect(loadConfig({ RAC_RUNTIME: 'local', RAC_NOW: '2026-11-26T10:00:00+03:00' }).now).toBe(
      '2026-11-26T10:00:00+03:00',
    );
  });

  it('validates window days', () => {
    expect(() => loadConfig({ RAC_WINDOW_OPEN_DAY: '31' })).toThrow(/windowOpenDay/);
    expect(loadConfig({ RAC_WINDOW_OPEN_DAY: '20' }).windowOpenDay).toBe(20);
  });
});
