import { describe, expect, it } from 'vitest';
import { DomainError } from '#shared/errors';
import { errorResponse } from '#shared/http/errorHandler';
import { ADDRESS_LIMITS } from '#shared/limits/policy';
import { addressLimitOf, clientOf, sourceAddress } from '#shared/limits/sourceAddress';
import { ROUTES, type RouteDefinition, routeKey } from '#shared/routes';
import { httpEvent } from '#test/support/events';

describe('the source address of a request', () => {
  it("is the viewer's address CloudFront names, never the edge's socket", () => {
    const event = httpEvent('POST', '/api/auth/login', {
      headers: { 'cloudfront-viewer-address': '198.51.100.7:53211' },
    });
    event.requestContext.http.sourceIp = '130.176.0.1';
    expect(sourceAddress(event)).toBe('198.51.100.7');
    const v6 = httpEvent('GET', '/api/captcha', { headers: { 'cloudfront-viewer-address': '2001:DB8::AB:443' } });
    expect(sourceAddress(v6)).toBe('2001:db8::ab');
    expect(sourceAddress(httpEvent('GET', '/api/captcha'))).toBe('127.0.0.1');
  });

  it('counts an IPv6 /64 as one client and an IPv4 address as itself', () => {
    expect(clientOf('2001:db8:abcd:12::1')).toBe('2001:db8:abcd:12::/64');
    expect(clientOf('2001:db8:abcd:12:ffff:1:2:3')).toBe('2001:db8:abcd:12::/64');
    expect(clientOf('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientOf('::ffff:203.0.113.9')).toBe('203.0.113.9');
    expect(clientOf('203.0.113.9')).toBe('203.0.113.9');
  });
});

describe('per-address limits', () => {
  it('cover every route without a session except signed bank callbacks and the edge-limited documents', () => {
    const routes = ROUTES as readonly RouteDefinition[];
    const unlimited = routes.filter((r) => !r.auth && !r.csrfExempt && !addressLimitOf(r)).map(routeKey);
    // Constant, cacheable and public: limited per address by the WAF's rule for all of /api/.
    expect(unlimited.sort()).toEqual(['GET /api/health', 'GET /api/openapi.json', 'GET /api/tariffs']);
    for (const r of routes.filter((r) => r.auth || r.csrfExempt)) expect(addressLimitOf(r)).toBeUndefined();
    const byKey = new Map(routes.map((r) => [routeKey(r), r]));
    expect(addressLimitOf(byKey.get('GET /api/captcha') as RouteDefinition)).toBe('captcha');
    expect(addressLimitOf(byKey.get('POST /api/auth/login') as RouteDefinition)).toBe('credentials');
    expect(addressLimitOf(byKey.get('POST /api/support') as RouteDefinition)).toBe('public');
    expect(ADDRESS_LIMITS.credentials.max).toBeGreaterThan(30);
  });

  it('refuse with 429 and a Retry-After header in whole seconds', () => {
    const response = errorResponse(DomainError.of('too_many_attempts', { retryAfter: 89.2 }));
    expect(response).toMatchObject({ statusCode: 429, headers: { 'retry-after': '90' } });
    const body = JSON.parse((response as { body: string }).body);
    expect(body.error).toEqual({ code: 'too_many_attempts', message: 'Слишком много попыток. Повторите через 2 мин.' });
    expect(
      (errorResponse(DomainError.of('not_found')) as { headers?: Record<string, string> }).headers,
    ).not.toHaveProperty('retry-after');
  });
});
