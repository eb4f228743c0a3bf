import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DomainError, ERRORS, isErrorCode, statusOf } from '#shared/errors';
import { ROUTES } from '#shared/routes';

/** Every TypeScript file of the code that runs: functions, shared code, the local runtime and the CLI. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(name) ? [path] : [];
  });
}
const sources = ['functions', 'shared', 'local', 'cli'].flatMap(sourceFiles).map((path) => ({
  path,
  text: readFileSync(path, 'utf8'),
}));

describe('the error catalogue', () => {
  it('has every code that code throws by name', () => {
    const thrown = new Set<string>();
    for (const { text } of sources) {
      for (const match of text.matchAll(/DomainError\.of\(\s*'([a-z_]+)'/g)) thrown.add(match[1] as string);
    }
    expect(thrown.size).toBeGreaterThan(20);
    expect([...thrown].filter((code) => !isErrorCode(code))).toEqual([]);
  });

  it('is the only place an error gets its status and message', () => {
    const elsewhere = sources.filter(
      ({ path, text }) => path !== join('shared', 'errors.ts') && /new DomainError\(/.test(text),
    );
    expect(elsewhere.map((s) => s.path)).toEqual([]);
  });

  it('has every code a route documents', () => {
    const documented = (ROUTES as ReadonlyArray<{ errors?: readonly string[] }>).flatMap((r) => r.errors ?? []);
    expect(documented.length).toBeGreaterThan(20);
    expect(documented.filter((code) => !isErrorCode(code))).toEqual([]);
  });

  it('gives each code an error status and a Russian message, with its facts filled in', () => {
    for (const code of Object.keys(ERRORS) as Array<keyof typeof ERRORS>) {
      expect(code).toMatch(/^[a-z]+(_[a-z]+)*$/);
      expect(statusOf(code)).toBeGreaterThanOrEqual(400);
      expect(statusOf(code)).toBeLessThan(600);
    }
    const samples = [
      DomainError.of('invalid_token'),
      DomainError.of('too_many_attempts', { retryAfter: 200, subject: 'login' }),
      DomainError.of('window_closed', { opensAt: '25.12.2026 в 00:00 (МСК)', closesAt: '01.01.2027 в 00:00 (МСК)' }),
      DomainError.of('too_many_changes', { max: 3 }),
      DomainError.of('reading_decreased', { detail: 'Меньше прошлого: 120' }),
      DomainError.of('wrong_password', { concurrent: true }),
    ];
    for (const error of samples) expect(error.message).toMatch(/^[А-ЯЁ][^a-z]*[а-яё]/);
    expect(samples[1]?.message).toContain('через 4 мин.');
    expect(samples[2]?.message).toContain('25.12.2026 в 00:00 (МСК)');
    expect(samples[4]?.message).toBe('Меньше прошлого: 120');
    expect(DomainError.of('reading_decreased').message).toBe('Показание меньше предыдущего. Проверьте цифры.');
  });

  it('carries the status of its code and the fields a form shows, in the contract body', () => {
    const error = DomainError.of('weak_password', { fields: { password: 'Слишком простой пароль' } });
    expect(error.status).toBe(422);
    expect(error.toBody()).toEqual({
      error: {
        code: 'weak_password',
        message: ERRORS.weak_password.message,
        fields: { password: 'Слишком простой пароль' },
      },
    });
    expect(DomainError.of('not_found').toBody()).toEqual({
      error: { code: 'not_found', message: 'Страница или ресурс не найдены.' },
    });
  });
});
