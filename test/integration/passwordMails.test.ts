import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resetConfigForTests } from '#shared/config';
import { ENV } from '#shared/env';
import { type Client, startTestGateway } from '#test/support/http';
import { mailsTo, type StoredMail } from '#test/support/mail';
import { importAccounts } from '#test/support/payments';
import { PASSWORD, registeredResident, resetToken } from '#test/support/residents';

/**
 * «Пароль изменён»: whoever changed the password — the resident in the profile, or anyone holding
 * the mailbox by the recovery link — the cabinet's address is told when and how, and what to do if
 * it was not them. Each test has its own account and address.
 */

const RUN = Date.now();
let client: Client;

beforeAll(async () => {
  ({ client } = await startTestGateway());
  await importAccounts(['820001', '820002']);
});

afterEach(() => {
  delete process.env[ENV.now];
  resetConfigForTests();
});

afterAll(async () => {
  await client.stop();
});

async function noticeTo(email: string): Promise<StoredMail> {
  for (let attempt = 0; attempt < 40; attempt++) {
    const notice = (await mailsTo(email)).find((m) => m.subject === 'Пароль личного кабинета изменён');
    if (notice) return notice;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`No «Пароль изменён» mail to ${email}`);
}

function expectWhatToDoIfNotYou(mail: StoredMail): void {
  const text = mail.body.text ?? '';
  expect(text).toContain('Если это были не вы');
  expect(text).toMatch(/https?:\/\/[^\s]+\/recover\b/);
  expect(text).toContain('+7 (4725) 22-40-00');
  expect(mail.body.html).toContain('/recover');
}

describe('«Пароль изменён»', () => {
  it('after a change in the profile: when, where, and what to do if it was not the resident', async () => {
    process.env[ENV.now] = '2026-11-12T10:15:00+03:00';
    resetConfigForTests();
    const email = `change-${RUN}@example.ru`;
    const browser = await registeredResident(client, '820001', '1401 820001', email);
    const changed = await browser.request('POST', '/api/profile/password', {
      body: { oldPassword: PASSWORD, newPassword: 'новый пароль для проверки' },
    });
    expect(changed.status, changed.text).toBe(200);
    const mail = await noticeTo(email);
    expect(mail.body.text).toContain('лицевого счёта №\u00a0820001 изменён 12.11.2026 в 10:15 (МСК) в профиле');
    expectWhatToDoIfNotYou(mail);
  });

  it('after a reset by the mailed link, to the same address, once', async () => {
    const email = `reset-${RUN}@example.ru`;
    const browser = await registeredResident(client, '820002', '1402 820002', email);
    const token = await resetToken(browser, '820002', email);
    expect((await mailsTo(email)).some((m) => m.subject === 'Пароль личного кабинета изменён')).toBe(false);
    const reset = await client.fork().request('POST', '/api/auth/reset', {
      body: { token, password: 'пароль после восстановления' },
    });
    expect(reset.status, reset.text).toBe(200);
    const mail = await noticeTo(email);
    expect(mail.body.text).toContain('по ссылке восстановления из письма');
    expectWhatToDoIfNotYou(mail);
    expect((await mailsTo(email)).filter((m) => m.subject === 'Пароль личного кабинета изменён')).toHaveLength(1);
  });
});
