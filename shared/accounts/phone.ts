import { requireCurrentPassword } from '#shared/accounts/currentPassword';
import { codeExpiresAt, codeMatches, hashCode, newCode, reserveSmsSlot, textCode } from '#shared/accounts/phoneCodes';
import { mailNotice, phoneConfirmedMail, phoneRemovedMail } from '#shared/accounts/phoneMails';
import { formatPhone } from '#shared/accounts/phoneNumber';
import { requireCabinet } from '#shared/accounts/profile';
import {
  type Cabinet,
  confirmCabinetPhone,
  putPhoneCode,
  type ResidentItems,
  removeCabinetPhone,
  takePhoneCodeTry,
} from '#shared/accounts/store';
import { DomainError } from '#shared/errors';
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
    await requireCurrentPassword(
      account,
      cabinet,
      input.currentPassword,
      'Чтобы сменить подтверждённый телефон, введите текущий пароль',
    );
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

/**
 * DELETE /api/profile/phone: the resident removes the phone (a lost or changed SIM, a number given
 * up), which also ends the login by SMS code. The current password is required, as for replacing a
 * confirmed phone: removing a second factor is what a thief with a session would do first. The
 * cabinet's address is told when a confirmed phone goes. A repeated request changes nothing more
 * and mails nothing (idempotent, as a DELETE).
 */
export async function removePhone(
  account: string,
  currentPassword: string | undefined,
  read: ResidentItems = {},
): Promise<void> {
  const cabinet: Cabinet = read.cabinet ?? (await requireCabinet(account, true));
  await requireCurrentPassword(account, cabinet, currentPassword, 'Чтобы удалить телефон, введите текущий пароль');
  if (!cabinet.phone) return;
  const removed = await removeCabinetPhone(account, cabinet.passwordHash);
  if (removed === undefined) throw DomainError.of('unauthorized');
  if (removed === 'password_changed') throw DomainError.of('wrong_password', { concurrent: true });
  if (removed === 'none' || !removed.phone || !removed.phoneConfirmedAt) return;
  await mailNotice(phoneRemovedMail(cabinet.email, account, removed.phone, removed.loginCodeBySms ?? false));
}
