import { randomBytes } from 'node:crypto';
import { getLinkToken, putLinkToken } from '#shared/accounts/store';
import { DomainError } from '#shared/errors';
import { now } from '#shared/time';

/**
 * Single-use, expiring tokens for the links we mail (set a password, reset it, confirm an e-mail).
 * The store keeps only their hashes and consumes a token in the same transaction as the cabinet
 * write it allows (shared/accounts/store.ts).
 */
export type TokenPurpose = 'register' | 'reset' | 'email';

export const TOKEN_TTL_MINUTES: Record<TokenPurpose, number> = { register: 24 * 60, reset: 60, email: 24 * 60 };

export interface TokenRecord<D = Record<string, unknown>> {
  purpose: TokenPurpose;
  account: string;
  data: D;
  expiresAt: number;
}

export async function issueToken(
  purpose: TokenPurpose,
  account: string,
  data: Record<string, unknown>,
): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = Math.floor(now().getTime() / 1000) + TOKEN_TTL_MINUTES[purpose] * 60;
  await putLinkToken(token, { purpose, account, data, expiresAt });
  return token;
}

/** Reads a live token of the purpose without consuming it (so a weak password can be retried). */
export async function peekToken<D>(token: string, purpose: TokenPurpose): Promise<TokenRecord<D>> {
  const item = await getLinkToken<D>(token);
  // DynamoDB's TTL deletes late (and never locally): expiry is checked here.
  if (!item || item.purpose !== purpose || item.expiresAt <= Math.floor(now().getTime() / 1000)) {
    throw DomainError.of('invalid_token');
  }
  return item;
}
