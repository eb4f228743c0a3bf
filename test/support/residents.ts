import { expect } from 'vitest';
import type { Client } from '#test/support/http';
import { mailedToken, mailsTo } from '#test/support/mail';

/**
 * Residents driven through the API as a browser would: the captcha (its answer comes with it in
 * test mode), registration, the mailed link, a password. Shared by the accounts integration and
 * security suites.
 */
export const PASSWORD = 'зелёный трамвай на Жукова';

export async function captcha(client: Client): Promise<{ captchaId: string; captchaAnswer: string }> {
  const res = await client.request('GET', '/api/captcha');
  expect(res.status).toBe(200);
  expect(res.json.answer, 'the captcha carries its answer in test mode').toBeTypeOf('string');
  return { captchaId: res.json.id as string, captchaAnswer: res.json.answer as string };
}

export async function register(client: Client, account: string, passport: string, email: string) {
  return client.request('POST', '/api/auth/register', {
    body: { account, passport, email, consent: true, ...(await captcha(client)) },
  });
}

/** Registers, follows the mailed link and sets the password: a logged-in resident with a cabinet. */
export async function registeredResident(
  client: Client,
  account: string,
  passport: string,
  email: string,
  password = PASSWORD,
): Promise<Client> {
  const browser = client.fork();
  expect((await register(browser, account, passport, email)).status).toBe(202);
  const token = await mailedToken(email, '/confirm');
  const confirmed = await browser.request('POST', '/api/auth/confirm', { body: { token, password } });
  expect(confirmed.status).toBe(200);
  return browser;
}

/** A new browser logged in to the account. */
export async function loggedIn(client: Client, account: string, password = PASSWORD): Promise<Client> {
  const browser = client.fork();
  const res = await browser.request('POST', '/api/auth/login', { body: { account, password } });
  expect(res.status).toBe(200);
  return browser;
}

/**
 * Does `action`, then returns the token of the link to `path` in the first mail to `email` that
 * arrived after it began: with several links mailed to one address, the one this action sent.
 */
export async function tokenMailedBy(email: string, path: string, action: () => Promise<unknown>): Promise<string> {
  const before = (await mailsTo(email)).length;
  await action();
  const re = new RegExp(`${path.replace('/', '\\/')}\\?token=([A-Za-z0-9_-]+)`);
  for (let attempt = 0; attempt < 40; attempt++) {
    for (const mail of (await mailsTo(email)).slice(before)) {
      const match = re.exec(mail.body.text ?? '');
      if (match?.[1]) return match[1];
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`No new mail with a ${path} link for ${email}`);
}

/** Asks for a recovery link and returns its token. */
export async function resetToken(client: Client, account: string, email: string): Promise<string> {
  return tokenMailedBy(email, '/reset', async () => {
    const res = await client.request('POST', '/api/auth/recover', {
      body: { account, email, ...(await captcha(client)) },
    });
    expect(res.status).toBe(202);
  });
}
