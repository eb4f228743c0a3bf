import { describe, expect, it } from 'vitest';
import { assertAcceptablePassword, hashPassword, verifyPassword } from '#shared/accounts/passwords';
import { ProfileUpdateRequest, RegisterRequest } from '#shared/accounts/schemas';
import { sumLedger } from '#shared/billing/balance';

describe('passwords', () => {
  it('hash with argon2id (PHC string) and verify only the same password', async () => {
    const phc = await hashPassword('зелёный трамвай');
    expect(phc).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword('зелёный трамвай', phc)).toBe(true);
    expect(await verifyPassword('зелёный трамвай ', phc)).toBe(false);
    expect(await verifyPassword('x', 'not a phc string')).toBe(false);
    expect(await hashPassword('зелёный трамвай')).not.toBe(phc);
  });

  it('refuse common passwords and ones built from the account number, accept passphrases', async () => {
    for (const weak of ['password', 'qwerty123', '12345678', 'aaaaaaaa', 'my100001pass']) {
      await expect(assertAcceptablePassword(weak, '100001')).rejects.toMatchObject({ code: 'weak_password' });
    }
    await expect(assertAcceptablePassword('кот учёный ходит по цепи', '100001')).resolves.toBeUndefined();
  });
});

describe('request schemas', () => {
  it('normalise e-mail and insist on consent, naming each field in Russian', () => {
    const ok = RegisterRequest.safeParse({
      account: '100001',
      passport: '1405 123456',
      email: ' Ivanova@Mail.RU ',
      consent: true,
      captchaId: 'abcdefghijklmnopqrstuv',
      captchaAnswer: '23456',
    });
    expect(ok.success && ok.data.email).toBe('ivanova@mail.ru');
    const bad = RegisterRequest.safeParse({ account: '1', passport: '', email: 'x', consent: false });
    expect(bad.success).toBe(false);
    const messages = bad.error?.issues.map((i) => i.message).join(' ') ?? '';
    expect(messages).toMatch(/6 цифр/);
    expect(messages).toMatch(/согласие/);
  });

  it('refuse an empty profile update', () => {
    expect(ProfileUpdateRequest.safeParse({}).success).toBe(false);
    expect(ProfileUpdateRequest.safeParse({ billByEmail: true }).success).toBe(true);
  });
});

describe('balances', () => {
  it('are the sums of ledger entries per service and in total', () => {
    expect(
      sumLedger([
        { service: 'gas', amount: 12_345 },
        { service: 'cold_water', amount: 50_000 },
        { service: 'gas', amount: -10_000 },
        { service: 'cold_water', amount: -60_000 },
      ]),
    ).toEqual({
      total: -7_655,
      services: [
        { service: 'cold_water', balance: -10_000 },
        { service: 'gas', balance: 2_345 },
      ],
    });
    expect(sumLedger([])).toEqual({ total: 0, services: [] });
  });
});
