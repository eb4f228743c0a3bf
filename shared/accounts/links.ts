import { deleteLink, fallBackSessions, linksOf, putLink, setSessionCurrent } from '#shared/accounts/linksStore';
import {
  type Cabinet,
  cabinetIdOf,
  cabinetUnchanged,
  getAccount,
  linkGenerationOf,
  ownerUnchanged,
} from '#shared/accounts/store';
import { DomainError } from '#shared/errors';
import { reserveAccountAttempt } from '#shared/limits/attempts';
import { passportMatches } from '#shared/passport';
import type { AccountRecord } from '#shared/registry/repository';

/**
 * Several accounts under one login (a flat and a garage, the parents' flat), as ГИС ЖКХ and
 * МосОблЕИРЦ offer: the login stays the cabinet of its own account (`home`); another account is
 * linked after the registry's passport check of that account, the same as registration's, under
 * the same per-account limit (5 refusals in an hour lock the account's registration and linking
 * for an hour), so linking is no second way to guess a passport. The link is to the account, not
 * to its owner's cabinet: an account with its own cabinet can be linked too, and its owner keeps it.
 * A session acts on one account at a time (`current`, on the session's record): the account's data
 * pages follow it, the login's own pages (profile, password, e-mail, phone, support) stay the
 * cabinet's. docs/accounts.md#several-accounts-under-one-login has the table.
 */

/** Links per cabinet: a flat, a garage, a dacha and the parents' are far fewer. */
export const MAX_LINKED_ACCOUNTS = 10;

export interface LinkInput {
  account: string;
  passport: string;
}

/**
 * GET /api/accounts: the cabinet's own account first, then the linked ones, and the current one.
 * `homeRecord`: the cabinet's account record the session check read along (sessions.ts
 * requireResident); the links carry their addresses, so the list is one query after the check.
 */
export async function accountsOf(home: string, current: string, homeRecord?: AccountRecord) {
  const [links, record] = await Promise.all([linksOf(home), homeRecord ?? getAccount(home)]);
  return {
    current,
    items: [
      { account: home, address: record?.address ?? '', home: true },
      ...links.map((l) => ({ account: l.account, address: l.address, home: false })),
    ],
  };
}

/**
 * POST /api/accounts: links `input.account` to the cabinet of `home` if the passport matches the
 * registry's. Written in one transaction with the checks that the account has not changed hands
 * since it was read and that the cabinet is still the one asking.
 */
export async function linkAccount(home: string, cabinet: Cabinet | undefined, input: LinkInput) {
  if (!cabinet) throw DomainError.of('unauthorized');
  if (input.account === home) throw DomainError.of('home_account');
  const links = await linksOf(home);
  if (links.some((l) => l.account === input.account)) throw DomainError.of('already_linked');
  if (links.length >= MAX_LINKED_ACCOUNTS) throw DomainError.of('too_many_links', { max: MAX_LINKED_ACCOUNTS });
  // Registration's own counter for the account: one budget of passport guesses, whichever form.
  const attempt = await reserveAccountAttempt('registration', input.account);
  const record = await getAccount(input.account, true);
  // Which field was wrong is never said, as at registration.
  if (!record || !(await passportMatches(record.passportHash, input.passport))) {
    await attempt.fail();
    throw DomainError.of('data_mismatch');
  }
  try {
    await putLink(home, input.account, record.address, {
      owner: ownerUnchanged(input.account, record.passportHash, linkGenerationOf(record)),
      cabinet: cabinetUnchanged(home, cabinetIdOf(cabinet)),
    });
  } finally {
    // The passport matched: the attempt was no guess, whatever the write's outcome.
    await attempt.release();
  }
  return { account: input.account, address: record.address, home: false };
}

/** DELETE /api/accounts/{account}: the link ends; the cabinet's sessions acting on it go back home. */
export async function unlinkAccount(home: string, account: string): Promise<void> {
  if (account === home) throw DomainError.of('home_account');
  if (!(await deleteLink(home, account))) throw DomainError.of('account_not_linked');
  await fallBackSessions(home, account);
}

/** POST /api/accounts/current: the session acts on `account` from now on (its own, or a linked one). */
export async function switchAccount(home: string, sessionId: string, account: string, homeRecord?: AccountRecord) {
  await setSessionCurrent(home, sessionId, account);
  return accountsOf(home, account, homeRecord);
}
