import { startLoginChallenge } from '#shared/accounts/loginCode';
import { passLoginGuard } from '#shared/accounts/loginGuard';
import { dummyPasswordHash, verifyPassword } from '#shared/accounts/passwords';
import { startSession } from '#shared/accounts/sessions';
import { getResident, linkGenerationOf } from '#shared/accounts/store';
import { DomainError } from '#shared/errors';

export interface LoginInput {
  account: string;
  password: string;
  captchaId?: string | undefined;
  captchaAnswer?: string | undefined;
}

/**
 * Login by account number and password. Unknown accounts, accounts without a cabinet and wrong
 * passwords answer alike, in the same time (a dummy hash is verified), and count alike.
 */
export async function login(input: LoginInput) {
  // The attempt is counted before the password is checked: parallel guesses cannot outrun the limit.
  const guard = await passLoginGuard(input.account, input);
  // The cabinet (password hash) and the record (the owner's name for the answer) in one request.
  const { cabinet, record } = await getResident(input.account);
  const ok = await verifyPassword(input.password, cabinet?.passwordHash ?? (await dummyPasswordHash()));
  if (!cabinet || !ok) {
    await guard.failed();
    throw DomainError.of('invalid_credentials');
  }
  // The second factor, when the resident turned it on: a code to the confirmed phone, no session yet.
  if (cabinet.loginCodeBySms && cabinet.phoneConfirmedAt && cabinet.phone) {
    const generation = record ? linkGenerationOf(record) : 0;
    return { challenge: await startLoginChallenge(input.account, cabinet.phone, generation, [guard.succeeded()]) };
  }
  // The new session and the cleared count in one transaction: four requests in all (the address
  // limit, the login guard, this read, this write). Fewer would need the guard's slot and the
  // password hash in one request: an update returns only its own item, and the guard cannot live
  // on the cabinet, since accounts without one must count alike and a lock must outlive it.
  return startSession(input.account, { record, also: [guard.succeeded()] });
}
