import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { claimsOf, LOCAL_DEVELOPMENT_SESSION_KEY, prepareSession, SESSION_COOKIE } from '#shared/accounts/sessions';
import { httpEvent } from '../support/events.ts';

/** The session token check (claimsOf): what a cookie must be to name a session. */

const KEY = LOCAL_DEVELOPMENT_SESSION_KEY;
const segment = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const nowSeconds = () => Math.floor(Date.now() / 1000);
const good = () => ({
  sid: 'session-1',
  sub: '100001',
  iss: 'rac-portal',
  aud: 'rac-portal-web',
  iat: nowSeconds(),
  exp: nowSeconds() + 3600,
});

function token(
  payload: Record<string, unknown>,
  header: Record<string, unknown> = { alg: 'HS256' },
  key: string = KEY,
) {
  const signed = `${segment(header)}.${segment(payload)}`;
  return `${signed}.${createHmac('sha256', key).update(signed).digest('base64url')}`;
}

const claims = (value: string) => {
  const event = httpEvent('GET', '/api/me');
  event.cookies = [`${SESSION_COOKIE}=${value}`];
  return claimsOf(event);
};

describe('the session token check', () => {
  it('accepts a token it signed (jose SignJWT) and one signed alike by hand', async () => {
    const prepared = prepareSession('100002');
    const cookie = await prepared.cookie();
    const value = (cookie.split(';')[0] as string).slice(SESSION_COOKIE.length + 1);
    expect(await claims(value)).toEqual({ account: '100002', sessionId: prepared.session.sessionId });
    expect(await claims(token(good()))).toEqual({ account: '100001', sessionId: 'session-1' });
    expect(await claims(token({ ...good(), aud: ['other', 'rac-portal-web'] }))).toEqual({
      account: '100001',
      sessionId: 'session-1',
    });
  });

  it('refuses another key, another algorithm, a critical header, a changed payload or a cut signature', async () => {
    expect(await claims(token(good(), undefined, 'another key of at least thirty-two bytes'))).toBeUndefined();
    for (const header of [{ alg: 'none' }, { alg: 'HS512' }, { alg: 'RS256' }, {}]) {
      expect(await claims(token(good(), header))).toBeUndefined();
    }
    expect(await claims(token(good(), { alg: 'HS256', crit: ['exp'] }))).toBeUndefined();
    const valid = token(good());
    const [h, , s] = valid.split('.') as [string, string, string];
    expect(await claims(`${h}.${segment({ ...good(), sub: '100009' })}.${s}`)).toBeUndefined();
    expect(await claims(`${h}.${segment(good())}.`)).toBeUndefined();
    expect(await claims(`${valid}.extra`)).toBeUndefined();
    expect(await claims('not a token')).toBeUndefined();
  });

  it('refuses a wrong issuer or audience, an expired or not yet valid token, missing claims', async () => {
    const refused = [
      { ...good(), iss: 'someone' },
      { ...good(), aud: 'rac-portal-admin' },
      { ...good(), exp: nowSeconds() - 1 },
      { ...good(), exp: String(nowSeconds() + 3600) },
      { ...good(), nbf: nowSeconds() + 600 },
      { ...good(), iat: 'yesterday' },
      { ...good(), sub: undefined },
      { ...good(), sid: undefined },
      { ...good(), exp: undefined },
    ];
    for (const payload of refused) expect(await claims(token(payload))).toBeUndefined();
    expect(await claims(token({ ...good(), nbf: nowSeconds() - 5 }))).toEqual({
      account: '100001',
      sessionId: 'session-1',
    });
  });
});
