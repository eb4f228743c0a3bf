import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '#shared/config';
import { FUNCTION_GROUPS } from '#shared/functions';
import { findRoute, matchPath, ROUTES, routeKey } from '#shared/routes';
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
    expect(findRoute('GET', '/api/health')?.route.group).toBe('system');
    expect(findRoute('POST', '/api/health')).toBeUndefined();
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
    expect(() => loadConfig({ RAC_RUNTIME: 'aws', RAC_TEST_MODE: '1', RAC_SECRETS_ARN: 'arn:x' })).toThrow(
      /RAC_TEST_MODE/,
    );
    expect(loadConfig({ RAC_RUNTIME: 'local', RAC_TEST_MODE: '1' }).testMode).toBe(true);
  });

  it('requires the secrets ARN when deployed and validates window days', () => {
    expect(() => loadConfig({ RAC_RUNTIME: 'aws' })).toThrow(/RAC_SECRETS_ARN/);
    expect(() => loadConfig({ RAC_WINDOW_OPEN_DAY: '31' })).toThrow(/windowOpenDay/);
    expect(loadConfig({ RAC_WINDOW_OPEN_DAY: '20' }).windowOpenDay).toBe(20);
  });
});
