import { passLoginGuard } from '#shared/accounts/loginGuard';
import { dummyPasswordHash, verifyPassword } from '#shared/accounts/passwords';
import { startSession } from '#shared/accounts/sessions';
import { getCabinet } from '#shared/accounts/store';
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
  const cabinet = await getCabinet(input.account, true);
  const ok = await verifyPassword(input.password, cabinet?.passwordHash ?? (await dummyPasswordHash()));
  if (!cabinet || !ok) {
    await guard.failed();
    throw DomainError.of('invalid_credentials');
  }
  await guard.succeeded();
  return startSession(input.account);
}
