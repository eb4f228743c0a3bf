import { describe, expect, it } from 'vitest';
import { AFTER_LOGIN_PATH, afterLoginPath, loginHref, safeNextPath } from '../../web/src/navigation';

describe('web login redirect target (next=)', () => {
  it('follows a path on this site, with its query and fragment', () => {
    expect(safeNextPath('/readings')).toBe('/readings');
    expect(safeNextPath('/statement?from=2026-01&to=2026-06')).toBe('/statement?from=2026-01&to=2026-06');
    expect(safeNextPath('/support#tickets')).toBe('/support#tickets');
    expect(safeNextPath('/')).toBe('/');
  });

  it.each([
    ['absolute URL', 'https://evil.example/account'],
    ['protocol-relative URL', '//evil.example/account'],
    ['backslash read as a slash', '/\\evil.example'],
    ['backslashes only', '\\\\evil.example'],
    ['tab dropped by the URL parser', '/\t/evil.example'],
    ['newline dropped by the URL parser', '/\n/evil.example'],
    ['space', '/ /evil.example'],
    ['javascript: URL', 'javascript:alert(1)'],
    ['relative path', 'account'],
    ['empty', ''],
    ['login page itself (a loop)', '/login?next=/account'],
    ['over-long value', `/${'a'.repeat(2100)}`],
  ])('refuses a %s', (_name, raw) => {
    expect(safeNextPath(raw)).toBeNull();
  });

  it('refuses a missing value', () => {
    expect(safeNextPath(undefined)).toBeNull();
    expect(safeNextPath(null)).toBeNull();
  });

  it('goes to the account after login unless a safe page was asked for', () => {
    expect(afterLoginPath('/payments')).toBe('/payments');
    expect(afterLoginPath('//evil.example')).toBe(AFTER_LOGIN_PATH);
    expect(afterLoginPath(undefined)).toBe('/account');
  });

  it('builds the login link that comes back to the current page', () => {
    expect(loginHref('/readings')).toBe('/login?next=%2Freadings');
    expect(loginHref('/statement?from=2026-01')).toBe('/login?next=%2Fstatement%3Ffrom%3D2026-01');
    expect(loginHref('//evil.example')).toBe('/login');
  });
});
