import { randomBytes } from 'node:crypto';
import { getAccount, getLinkToken, linkGeneration, linkGenerationOf, putLinkToken } from '#shared/accounts/store';
import { DomainError } from '#shared/errors';
import type { AccountRecord } from '#shared/registry/repository';
import { now } from '#shared/time';

/**
 * Single-use, expiring tokens for the links we mail (set a password, reset it, confirm an e-mail,
 * undo an e-mail change). The store keeps only their hashes and consumes a token in the same
 * transaction as the cabinet write it allows (shared/accounts/store.ts).
 *
 * Every link but the undo link carries the account's link generation at issue and works only in
 * it: an ownership transfer, a closed cabinet, a password change or reset move the generation on
 * and so end the account's outstanding links at once. The undo link is bound to its cabinet
 * instead (see undoCabinetEmail), so a password change by whoever changed the address cannot void it.
 */
export type TokenPurpose = 'register' | 'reset' | 'email' | 'undo';

export const TOKEN_TTL_MINUTES: Record<TokenPurpose, number> = {
  register: 24 * 60,
  reset: 60,
  email: 24 * 60,
  // The notice may be read days later (a holiday): the undo waits a week.
  undo: 7 * 24 * 60,
};

export interface TokenRecord<D = Record<string, unknown>> {
  purpose: TokenPurpose;
  account: string;
  data: D;
  expiresAt: number;
  /** The account's link generation when issued; absent on links issued before it existed (0). */
  generation?: number;
}

/**
 * Issues a link's token. `generation`: the account's link generation when the caller has just read
 * the record consistently (saves a read); `alsoUpdate`: a write to make with it (putLinkToken).
 */
export async function issueToken(
  purpose: TokenPurpose,
  account: string,
  data: Record<string, unknown>,
  options: { generation?: number; alsoUpdate?: Parameters<typeof putLinkToken>[2] } = {},
): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = Math.floor(now().getTime() / 1000) + TOKEN_TTL_MINUTES[purpose] * 60;
  const generation = options.generation ?? (await linkGeneration(account));
  await putLinkToken(token, { purpose, account, data, expiresAt, generation }, options.alsoUpdate);
  return token;
}

/**
 * Reads a live token of the purpose without consuming it (so a weak password can be retried). A
 * link of a past generation is refused here already, before the resident types a password; the
 * consuming transaction checks the generation again.
 */
export async function peekToken<D>(
  token: string,
  purpose: TokenPurpose,
): Promise<TokenRecord<D> & { generation: number; record?: AccountRecord | undefined }> {
  const item = await getLinkToken<D>(token);
  // DynamoDB's TTL deletes late (and never locally): expiry is checked here.
  if (!item || item.purpose !== purpose || item.expiresAt <= Math.floor(now().getTime() / 1000)) {
    throw DomainError.of('invalid_token');
  }
  const generation = item.generation ?? 0;
  if (purpose === 'undo') return { ...item, generation };
  // The whole record (read consistently, for its generation): the caller may need its owner too.
  const record = await getAccount(item.account, true);
  if (!record || generation !== linkGenerationOf(record)) throw DomainError.of('invalid_token');
  return { ...item, generation, record };
}
