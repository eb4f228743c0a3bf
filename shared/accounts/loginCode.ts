import { randomBytes } from 'node:crypto';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { codeExpiresAt, codeMatches, hashCode, newCode, reserveSmsSlot, textCode } from '#shared/accounts/phoneCodes';
import { maskPhone } from '#shared/accounts/phoneNumber';
import { startSession } from '#shared/accounts/sessions';
import {
  consumeLoginChallenge,
  credentialsUnchanged,
  putLoginChallenge,
  type TransactItem,
  takeLoginChallengeTry,
} from '#shared/accounts/store';
import { DomainError } from '#shared/errors';
import { SMS_CODE } from '#shared/limits/policy';

/**
 * Login by SMS code (the seed's «защитит кабинет от взлома»): once the password is right, a
 * resident who turned it on gets a code on the confirmed phone and a challenge instead of a
 * session. The challenge lives 10 minutes, takes 5 tries and opens one session: it is used up in
 * the transaction that stores the session. Someone who has only the password gets no further.
 * `generation`: the account's link generation read with the password hash; the code works only
 * while it holds, so a password change or reset, a closed cabinet or an ownership transfer ends the
 * challenge (a thief's pending login does not survive the resident's new password).
 */
export async function startLoginChallenge(
  account: string,
  phone: string,
  generation: number,
  also: readonly TransactItem[],
): Promise<{ challenge: string; phone: string; message: string }> {
  await reserveSmsSlot(account, phone);
  const challenge = randomBytes(24).toString('base64url');
  const code = newCode();
  const record = {
    account,
    phone,
    codeHash: await hashCode('login', challenge, code),
    expiresAt: codeExpiresAt(),
    tries: 0,
    generation,
  };
  await putLoginChallenge(challenge, record, also);
  await textCode('login', phone, code);
  const masked = maskPhone(phone);
  return { challenge, phone: masked, message: `Код для входа отправлен в SMS на номер ${masked}.` };
}

/** The second step: the right code opens the session (and uses the challenge up). */
export async function loginWithCode(challenge: string, code: string) {
  const record = await takeLoginChallengeTry(challenge, SMS_CODE.tries);
  if (!record) throw DomainError.of('invalid_code', { spent: true });
  if (!(await codeMatches('login', challenge, code, record.codeHash))) {
    throw DomainError.of('invalid_code', { left: SMS_CODE.tries - record.tries });
  }
  // The check rides in the session's own transaction: no request more than before.
  const also = [consumeLoginChallenge(challenge, record.codeHash)];
  if (record.generation !== undefined) also.push(credentialsUnchanged(record.account, record.generation));
  try {
    return await startSession(record.account, { also });
  } catch (error) {
    if (!(error instanceof TransactionCanceledException)) throw error;
    // Items: the session's put, the challenge's delete, the credentials check.
    if (error.CancellationReasons?.[2]?.Code === 'ConditionalCheckFailed')
      throw DomainError.of('login_challenge_ended');
    // The same challenge used at the same moment by another request: one session only.
    throw DomainError.of('invalid_code', { spent: true });
  }
}
