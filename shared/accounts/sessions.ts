import { randomBytes } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { jwtVerify, SignJWT } from 'jose';
import {
  deleteSession,
  getAccount,
  getSession,
  getSessionWithResident,
  putSession,
  type ResidentItems,
  type SessionRecord,
  sessionPut,
  type TransactItem,
  touchSession,
} from '#shared/accounts/store';
import { config, LOCAL_SECRET_DEFAULTS } from '#shared/config';
import { ENV } from '#shared/env';
import { DomainError } from '#shared/errors';
import type { AccountRecord } from '#shared/registry/repository';
import { secretValue } from '#shared/secrets';
import { now } from '#shared/time';

/**
 * Sessions: a signed JWT (HS256 pinned, iss/aud/exp checked) in a `__Host-` cookie, backed by a
 * session record, so logout, a password change or an ownership transfer really end a session
 * even before its token expires. A session ends after 8 hours in any case, and after 30 minutes
 * without a request (a cabinet left open on a shared computer at the post office or library).
 */
export const SESSION_COOKIE = '__Host-rac_session';
export const SESSION_HOURS = 8;
export const SESSION_IDLE_MINUTES = 30;
/**
 * How stale the record's `lastSeen` may get before a request refreshes it: one write a minute at
 * most per active session instead of one per request; the idle timeout is thus exact to a minute
 * (a session used within the last 29 minutes is always alive, one idle for 30 never is).
 */
export const SESSION_TOUCH_SECONDS = 60;
const ISSUER = 'rac-portal';
const AUDIENCE = 'rac-portal-web';
const ALGORITHM = 'HS256';

/** Documented development key; deployed, the key comes from Secrets Manager only. */
export const LOCAL_DEVELOPMENT_SESSION_KEY = LOCAL_SECRET_DEFAULTS[ENV.sessionKey];

export interface Session {
  /** The cabinet's own account: where the cabinet and the session live (the token's subject). */
  account: string;
  sessionId: string;
  /**
   * The account the resident acts on: the cabinet's own, or a linked one switched to
   * (accounts/links.ts); kept on the session's record, so the session check reads it along.
   * Set by the session check; absent on bare claims.
   */
  current?: string;
}

/** The checked session with its current account from its record (absent there: the cabinet's own). */
export function withCurrent(session: Session, record: SessionRecord | undefined): Session & { current: string } {
  return { ...session, current: record?.current ?? session.account };
}

let keyPromise: Promise<Uint8Array> | undefined;
export function sessionSigningKey(): Promise<Uint8Array> {
  keyPromise ??= (async () => {
    const key = await secretValue(ENV.sessionKey);
    if (key && Buffer.byteLength(key) >= 32) return new TextEncoder().encode(key);
    if (config().runtime !== 'aws') return new TextEncoder().encode(key ?? LOCAL_DEVELOPMENT_SESSION_KEY);
    // Deployed, the session key has its own secret, generated once by the stack (shared/secrets.ts):
    // the functions that sign sessions never read the passport key.
    throw new Error(`${ENV.sessionKey} is missing or shorter than 32 bytes`);
  })().catch((error: unknown) => {
    keyPromise = undefined;
    throw error;
  });
  return keyPromise;
}

/**
 * The session key as a WebCrypto HMAC key, imported once per container: given raw bytes, jose
 * imports the key again for every token it signs or checks (about twice the cost of the check).
 */
let jwtKeyPromise: Promise<CryptoKey> | undefined;
function sessionJwtKey(): Promise<CryptoKey> {
  jwtKeyPromise ??= sessionSigningKey()
    .then((raw) =>
      crypto.subtle.importKey('raw', new Uint8Array(raw), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']),
    )
    .catch((error: unknown) => {
      jwtKeyPromise = undefined;
      throw error;
    });
  return jwtKeyPromise;
}

export function resetSessionKeyForTests(): void {
  keyPromise = undefined;
  jwtKeyPromise = undefined;
}

function cookie(value: string, maxAgeSeconds: number): string {
  return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=${maxAgeSeconds}`;
}

export const clearSessionCookie = () => cookie('', 0);

/**
 * Opens a session: stores its record and returns the Set-Cookie value. `also`: writes that belong
 * with it (putSession), in the same request.
 */
export async function openSession(
  account: string,
  also: readonly TransactItem[] = [],
): Promise<{ cookie: string; session: Session }> {
  const prepared = prepareSession(account);
  await putSession(account, prepared.session.sessionId, prepared.expiresAt, also);
  return { cookie: await prepared.cookie(), session: prepared.session };
}

/**
 * A new session not stored yet: its record as a transaction item (`put`), for a caller that writes
 * it in its own transaction (confirming the registration link), and its cookie, to send once written.
 */
export function prepareSession(account: string) {
  const sessionId = randomBytes(18).toString('base64url');
  const issuedAt = Math.floor(now().getTime() / 1000);
  const expiresAt = issuedAt + SESSION_HOURS * 3600;
  const cookieValue = async () => {
    const jwt = await new SignJWT({ sid: sessionId })
      .setProtectedHeader({ alg: ALGORITHM })
      .setSubject(account)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(issuedAt)
      .setExpirationTime(expiresAt)
      .sign(await sessionJwtKey());
    return cookie(jwt, SESSION_HOURS * 3600);
  };
  return {
    session: { account, sessionId } satisfies Session,
    expiresAt,
    put: sessionPut(account, sessionId, expiresAt),
    cookie: cookieValue,
  };
}

function tokenFrom(event: APIGatewayProxyEventV2): string | undefined {
  for (const c of event.cookies ?? []) {
    const eq = c.indexOf('=');
    if (eq > 0 && c.slice(0, eq).trim() === SESSION_COOKIE) return c.slice(eq + 1).trim();
  }
  return undefined;
}

/** The session a cookie names, if its signature and claims hold (no I/O). */
export async function claimsOf(event: APIGatewayProxyEventV2): Promise<Session | undefined> {
  const token = tokenFrom(event);
  if (!token) return undefined;
  try {
    const { payload } = await jwtVerify(token, await sessionJwtKey(), {
      algorithms: [ALGORITHM],
      issuer: ISSUER,
      audience: AUDIENCE,
      currentDate: now(),
      requiredClaims: ['sub', 'exp', 'sid'],
    });
    return { account: String(payload.sub), sessionId: String(payload.sid) };
  } catch {
    return undefined;
  }
}

/**
 * Whether the record keeps the session alive now; refreshes `lastSeen` when it is older than
 * SESSION_TOUCH_SECONDS (one conditional write a minute at most, not one per request).
 */
export async function alive(session: Session, record: SessionRecord | undefined): Promise<boolean> {
  const nowSec = Math.floor(now().getTime() / 1000);
  if (!record || record.expiresAt <= nowSec || record.lastSeen + SESSION_IDLE_MINUTES * 60 <= nowSec) return false;
  if (nowSec - record.lastSeen >= SESSION_TOUCH_SECONDS) await touchSession(session.account, session.sessionId, nowSec);
  return true;
}

/** The live session of a request, or undefined (no cookie, forged, expired or ended). */
export async function readSession(event: APIGatewayProxyEventV2): Promise<Session | undefined> {
  const session = await claimsOf(event);
  if (!session) return undefined;
  const record = await getSession(session.account, session.sessionId);
  return (await alive(session, record)) ? withCurrent(session, record) : undefined;
}

/** For routes that need a resident: the session, or 401 `unauthorized`. */
export async function requireSession(event: APIGatewayProxyEventV2): Promise<Session> {
  const session = await readSession(event);
  if (!session) throw DomainError.of('unauthorized');
  return session;
}

/** The account record and cabinet read with a request's session check (requireResident). */
const residentReads = new WeakMap<APIGatewayProxyEventV2, ResidentItems>();

/**
 * Like requireSession, and reads the account's record and cabinet in the same request as the
 * session (one BatchGetItem): the authentication of the `residents` group, whose pages all show
 * them. A session whose cabinet has gone (ownership transfer, closing) is no session.
 */
export async function requireResident(event: APIGatewayProxyEventV2): Promise<Session> {
  const session = await claimsOf(event);
  if (!session) throw DomainError.of('unauthorized');
  const read = await getSessionWithResident(session.account, session.sessionId);
  if (!read.cabinet || !(await alive(session, read.session))) throw DomainError.of('unauthorized');
  residentReads.set(event, { record: read.record, cabinet: read.cabinet });
  return withCurrent(session, read.session);
}

/** What requireResident read for this request (the same event object), or nothing to reuse. */
export function residentOf(event: APIGatewayProxyEventV2): ResidentItems {
  return residentReads.get(event) ?? {};
}

export async function endSession(session: Session): Promise<void> {
  await deleteSession(session.account, session.sessionId);
}

/**
 * Opens a session for a resident who has just proved who they are (a password, a mailed link) and
 * answers with the cookie and what the site shows of the account. `record`: the account's record
 * when the caller has read it already; `also`: writes to make with the session's (openSession).
 */
export async function startSession(
  account: string,
  options: { record?: AccountRecord | undefined; also?: readonly TransactItem[] } = {},
) {
  const [record, { cookie }] = await Promise.all([
    options.record ?? getAccount(account),
    openSession(account, options.also),
  ]);
  return { cookie, body: { account, owner: record?.owner ?? '' } };
}
