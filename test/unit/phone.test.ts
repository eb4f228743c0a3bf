import { describe, expect, it } from 'vitest';
import { newCode, SMS_PART_LIMIT, SMS_TEXTS } from '#shared/accounts/phoneCodes';
import { formatPhone, maskPhone, normalisePhone } from '#shared/accounts/phoneNumber';
import { MobilePhone } from '#shared/accounts/schemas';

describe('normalisePhone', () => {
  it.each([
    ['+7 912 345-67-89', '+79123456789'],
    ['8 (912) 345-67-89', '+79123456789'],
    ['89123456789', '+79123456789'],
    ['79123456789', '+79123456789'],
    ['9123456789', '+79123456789'],
    ['  +7(912)3456789 ', '+79123456789'],
    ['8-912-345-67-89', '+79123456789'],
  ])('reads %s as %s', (typed, e164) => {
    expect(normalisePhone(typed)).toEqual({ ok: true, phone: e164 });
  });

  it.each([
    ['', /Укажите номер/],
    ['+7 (4725) 12-34-56', /мобильный/],
    ['8 4725 12-34-56', /мобильный/],
    ['+1 212 555 0100', /российские/],
    ['+7 912 345-67-8', /11 цифр/],
    ['8 912 345-67-89-0', /11 цифр/],
    ['позвоните мне', /только цифры/],
    ['+7 912 345 67 89 доб. 2', /только цифры/],
  ])('refuses %j in Russian', (typed, message) => {
    const check = normalisePhone(typed);
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.message).toMatch(message);
  });

  it('is what the request schema stores, with the message as the field error', () => {
    expect(MobilePhone.parse('8 (912) 345-67-89')).toBe('+79123456789');
    const refused = MobilePhone.safeParse('+7 (4725) 12-34-56');
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0]?.message).toMatch(/мобильный/);
  });

  it('formats and masks the stored number', () => {
    expect(formatPhone('+79123456789')).toBe('+7 912 345-67-89');
    expect(maskPhone('+79123456789')).toBe('+7 ••• •••-67-89');
    expect(maskPhone('+79123456789')).not.toMatch(/912|345/);
  });
});

describe('SMS texts', () => {
  it.each(Object.entries(SMS_TEXTS))('the %s text fits one Cyrillic SMS part (70 characters)', (_, text) => {
    // The longest code is as long as any: always 6 digits.
    const body = text('999999');
    expect(body.length).toBeLessThanOrEqual(SMS_PART_LIMIT);
    expect(SMS_PART_LIMIT).toBe(70);
    expect(body).toMatch(/[а-я]/);
    expect(body).toContain('999999');
  });

  it('codes are always 6 digits', () => {
    for (let i = 0; i < 2000; i++) expect(newCode()).toMatch(/^\d{6}$/);
  });
});
