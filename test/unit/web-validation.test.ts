import { describe, expect, it } from 'vitest';
import {
  accountError,
  collectErrors,
  digitsOnly,
  emailError,
  newPasswordError,
  phoneError,
  repeatError,
  requiredError,
} from '../../web/src/validation';

describe('web form checks before sending', () => {
  it('takes an account number as six digits, whatever was pasted around them', () => {
    expect(digitsOnly('№ 10 00 01')).toBe('100001');
    expect(accountError('100001')).toBeUndefined();
    expect(accountError('')).toBe('Укажите номер лицевого счёта');
    expect(accountError('12345')).toBe('Номер лицевого счёта — 6 цифр');
    expect(accountError('1234567')).toBe('Номер лицевого счёта — 6 цифр');
  });

  it('asks for a plausible e-mail address', () => {
    expect(emailError(' ivanova@mail.ru ')).toBeUndefined();
    expect(emailError('')).toBe('Укажите адрес электронной почты');
    expect(emailError('ivanova')).toMatch(/например/);
    expect(emailError('ivanova@mail')).toMatch(/например/);
  });

  it('wants a new password of 8 to 128 characters, typed the same twice', () => {
    expect(newPasswordError('1234567')).toBe('Пароль — не короче 8 символов');
    expect(newPasswordError('зелёный слон')).toBeUndefined();
    expect(newPasswordError('x'.repeat(129))).toBe('Пароль — не длиннее 128 символов');
    expect(repeatError('abcdefgh', '')).toBe('Повторите пароль');
    expect(repeatError('abcdefgh', 'abcdefgi')).toBe('Пароли не совпадают');
    expect(repeatError('abcdefgh', 'abcdefgh')).toBeUndefined();
  });

  it('accepts an empty phone (it is optional) or a Russian-looking number', () => {
    expect(phoneError('')).toBeUndefined();
    expect(phoneError('+7 (4725) 12-34-56')).toBeUndefined();
    expect(phoneError('12-34')).toMatch(/например/);
  });

  it('keeps only the failed checks', () => {
    expect(
      collectErrors({ name: requiredError(' ', 'Укажите ФИО'), email: emailError('a@b.ru'), account: undefined }),
    ).toEqual({ name: 'Укажите ФИО' });
    expect(collectErrors({ email: undefined })).toEqual({});
  });
});
