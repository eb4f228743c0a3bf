import { verifyPassword } from '#shared/accounts/passwords';
import type { Cabinet } from '#shared/accounts/store';
import { DomainError } from '#shared/errors';
import { reserveAccountAttempt } from '#shared/limits/attempts';

/** The form's top line for a logged-in resident: the account number is not what they typed. */
const WRONG_CURRENT_PASSWORD = 'Текущий пароль введён неверно.';

/**
 * The current password, asked for before what password recovery or the second factor trusts
 * changes (the e-mail, the phone): a session alone (a computer left logged in) must not be enough.
 * Missing or wrong → 401 `invalid_credentials` (CONTRACT.md), `hint` on the field, counted by the
 * `sessionPassword` limit like the password change.
 */
export async function requireCurrentPassword(
  account: string,
  cabinet: Cabinet,
  currentPassword: string | undefined,
  hint: string,
): Promise<void> {
  const attempt = await reserveAccountAttempt('sessionPassword', account);
  if (!currentPassword || !(await verifyPassword(currentPassword, cabinet.passwordHash))) {
    await attempt.fail();
    throw DomainError.of('invalid_credentials', { detail: WRONG_CURRENT_PASSWORD, fields: { currentPassword: hint } });
  }
  await attempt.release();
}
