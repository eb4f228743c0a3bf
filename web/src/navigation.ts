/**
 * Where to go after logging in. `next` comes from the address bar, so anyone can craft it: only a
 * path on this site is followed, never another origin (an open redirect would let a phishing mail
 * pass through our login page).
 */

export const AFTER_LOGIN_PATH = '/account';
export const LOGIN_PATH = '/login';

const MAX_NEXT_LENGTH = 2000;

/**
 * A same-origin relative path («/readings?x=1»), or null. Refused: absolute URLs, protocol-relative
 * «//host», «/\host» (browsers read a backslash as a slash), control characters and spaces
 * (browsers drop tabs and newlines, turning «/\t/host» into «//host»), and the login page itself.
 */
export function safeNextPath(raw: string | null | undefined): string | null {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > MAX_NEXT_LENGTH) return null;
  if (!raw.startsWith('/') || raw.startsWith('//')) return null;
  if (raw.includes('\\')) return null;
  for (const char of raw) {
    const code = char.codePointAt(0) ?? 0;
    if (code <= 0x20 || code === 0x7f) return null;
  }
  // The parser has the last word: whatever it resolves to must stay on our origin.
  const base = 'https://portal.invalid';
  let url: URL;
  try {
    url = new URL(raw, base);
  } catch {
    return null;
  }
  if (url.origin !== base) return null;
  if (url.pathname === LOGIN_PATH) return null;
  return `${url.pathname}${url.search}${url.hash}`;
}

/** The login page, asked to come back to `current` afterwards. */
export function loginHref(current: string): string {
  const next = safeNextPath(current);
  return next ? `${LOGIN_PATH}?next=${encodeURIComponent(next)}` : LOGIN_PATH;
}

/** Where a successful login leads: the requested page, or the resident's account. */
export function afterLoginPath(next: string | null | undefined): string {
  return safeNextPath(next) ?? AFTER_LOGIN_PATH;
}
