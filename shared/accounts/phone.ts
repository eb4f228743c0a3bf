import { verifyPassword } from '#shared/accounts/passwords';
import { codeExpiresAt, codeMatches, hashCode, newCode, reserveSmsSlot, textCode } from '#shared/accounts/phoneCodes';
import { mailNotice, phoneConfirmedMail } from '#shared/accounts/phoneMails';
import { formatPhone } from '#shared/accounts/phoneNumber';
import { requireCabinet } from '#shared/accounts/profile';
import {
  type Cabinet,
  confirmCabinetPhone,
  putPhoneCode,
  type ResidentItems,
  takePhoneCodeTry,
} from '#shared/accounts/store';
import { DomainError } from '#shared/errors';
import { reserveAccountAttempt } from '#shared/limits/attempts';
import { SMS_CODE } from '#shared/limits/policy';

/**
 * Phone confirmation from the profile: a code by SMS to the number typed, which becomes the
 * cabinet's confirmed phone only when the code comes back. A confirmed phone is a second factor
 * (login by SMS code): replacing it needs the current password, like the e-mail, and until the new
 * number is confirmed the old one stays.
 */
export async function requestPhoneConfirmation(
  account: string,
  input: { phone: string; currentPassword?: string | undefined },
  read: ResidentItems = {},
): Promise<{ phone: string }> {
  const cabinet: Cabinet = read.cabinet ?? (await requireCabinet(account, true));
  if (cabinet.phoneConfirmedAt) {
    const attempt = await reserveAccountAttempt('sessionPassword', account);
    if (!input.currentPassword || !(await verifyPassword(input.currentPassword, cabinet.passwordHash))) {
      await attempt.fail();
      throw DomainError.of('invalid_credentials', {
        fields: { currentPassword: 'Чтобы сменить подтверждённый телефон, введите текущий пароль' },
      });
    }
    await attempt.release();
  }
  await reserveSmsSlot(account, input.phone);
  const code = newCode();
  await putPhoneCode({
    account,
    phone: input.phone,
    codeHash: await hashCode('phone', account, code),
    expiresAt: codeExpiresAt(),
    tries: 0,
  });
  await textCode('phone', input.phone, code);
  return { phone: formatPhone(input.phone) };
}

/** The code typed back: the number becomes the cabinet's confirmed phone, and its e-mail is told. */
export async function confirmPhone(
  account: string,
  code: string,
  read: ResidentItems = {},
): Promise<{ phone: string }> {
  const record = await takePhoneCodeTry(account, SMS_CODE.tries);
  if (!record) throw DomainError.of('invalid_code', { spent: true });
  if (!(await codeMatches('phone', account, code, record.codeHash))) {
    throw DomainError.of('invalid_code', { left: SMS_CODE.tries - record.tries });
  }
  if (!(await confirmCabinetPhone(account, record.phone, record.codeHash))) {
    throw DomainError.of('invalid_code', { spent: true });
  }
  const before = read.cabinet;
  if (before) {
    const previous = before.phoneConfirmedAt && before.phone !== record.phone ? before.phone : undefined;
    await mailNotice(phoneConfirmedMail(before.email, account, record.phone, previous));
  }
  return { phone: formatPhone(record.phone) };
}
