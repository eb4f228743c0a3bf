/**
 * The meter id residents' pages and the API use: the serial, base64url-encoded. Serials may hold
 * Cyrillic letters, spaces and `/`, which do not belong in a URL or a form field name; the id is
 * stable across imports and reveals nothing the meters list does not show anyway. It names a
 * meter only within the caller's own account: every lookup is under the session's (or the quick
 * pass's) account key, so another account's id simply is not found there.
 */
export function meterIdOf(serial: string): string {
  return Buffer.from(serial, 'utf8').toString('base64url');
}
