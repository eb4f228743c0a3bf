import { ACCOUNT_NUMBER_MESSAGE, isAccountNumber } from '#shared/format';

/**
 * Checks the browser makes before sending a form, so a resident hears about a typo at once. The
 * server checks everything again (zod) and its `fields` are shown the same way; the messages here
 * match the server's wording.
 */

export type FieldErrors = Record<string, string>;

/** Keeps digits only: an account number pasted as «10 00 01» or «№100001» still reads. */
export function digitsOnly(value: string): string {
  return value.replace(/\D/g, '');
}

export function accountError(value: string): string | undefined {
  const account = value.trim();
  if (!account) return 'Укажите номер лицевого счёта';
  if (!isAccountNumber(account)) return ACCOUNT_NUMBER_MESSAGE;
  return undefined;
}

export function emailError(value: string): string | undefined {
  const email = value.trim();
  if (!email) return 'Укажите адрес электронной почты';
  if (email.length > 254 || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
    return 'Укажите адрес электронной почты, например ivanova@mail.ru';
  }
  return undefined;
}

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

export function newPasswordError(value: string): string | undefined {
  if (value.length < PASSWORD_MIN) return `Пароль — не короче ${PASSWORD_MIN} символов`;
  if (value.length > PASSWORD_MAX) return `Пароль — не длиннее ${PASSWORD_MAX} символов`;
  return undefined;
}

export function repeatError(password: string, repeat: string): string | undefined {
  if (!repeat) return 'Повторите пароль';
  if (password !== repeat) return 'Пароли не совпадают';
  return undefined;
}

export function requiredError(value: string, message: string): string | undefined {
  return value.trim() ? undefined : message;
}

export function phoneError(value: string): string | undefined {
  const phone = value.trim();
  if (!phone) return undefined;
  if (!/^\+?[\d\s()-]{10,20}$/.test(phone)) return 'Укажите телефон, например +7 (4725) 12-34-56';
  return undefined;
}

/** Drops the checks that passed: `{}` means the form may be sent. */
export function collectErrors(checks: Record<string, string | undefined>): FieldErrors {
  const errors: FieldErrors = {};
  for (const [name, message] of Object.entries(checks)) if (message) errors[name] = message;
  return errors;
}
