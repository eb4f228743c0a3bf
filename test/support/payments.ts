import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { expect } from 'vitest';
import { type Gateway, startGateway } from '#local/gateway';
import { freePort } from '#local/ports';
import { createSandboxAcquirer, SANDBOX_REST, type SandboxAcquirer, type SandboxOptions } from '#local/sandboxAcquirer';
import { balanceOf } from '#shared/billing/balance';
import { openingEntry } from '#shared/billing/ledger';
import { db, tableName } from '#shared/clients/dynamo';
import { LOCAL_BANK_KEYS, LOCAL_SECRET_DEFAULTS, resetConfigForTests } from '#shared/config';
import { ENV } from '#shared/env';
import { keys } from '#shared/keys';
import { bankSignature } from '#shared/payments/banks';
import { callbackChecksum } from '#shared/payments/sber';
import type { PaymentItem } from '#shared/payments/store';
import { importRegistry } from '#shared/registry/importRegistry';
import type { ServiceId } from '#shared/registry/services';
import { type Client, makeClient } from '#test/support/http';
import { mailedToken } from '#test/support/mail';

/**
 * The payments harness: the local gateway with the sandbox acquirer mounted on it (as `npm start`
 * runs them), residents with a cabinet and a debt, and the bank-side helpers (signed callbacks and
 * signed bank requests). Callback retries are fast here (RETRY_MS) instead of the bank's 30 s.
 */
export const RETRY_MS = 150;
export const PASSWORD = 'зелёный трамвай на Жукова';
export const CALLBACK_KEY = LOCAL_SECRET_DEFAULTS[ENV.sberCallbackSecret];
export const BANK_KEY = LOCAL_BANK_KEYS.sberbank as string;

export interface PaymentsStack {
  client: Client;
  gateway: Gateway;
  sandbox: SandboxAcquirer;
  url: string;
  stop: () => Promise<void>;
}

export async function startPaymentsStack(options: Partial<SandboxOptions> = {}): Promise<PaymentsStack> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const sandbox = createSandboxAcquirer({
    publicBase: url,
    callbackUrl: `${url}/api/webhooks/sber`,
    retryIntervalMs: RETRY_MS,
    ...options,
  });
  const gateway = await startGateway({ port, siteDir: 'web/dist', mounts: [sandbox] });
  process.env[ENV.sberGatewayUrl] = `${url}${SANDBOX_REST}`;
  process.env[ENV.publicUrl] = url;
  resetConfigForTests();
  const stop = async () => {
    sandbox.stop();
    await gateway.stop();
  };
  return { client: makeClient(url, stop), gateway, sandbox, url, stop };
}

/** Accounts 300001…, each `<account>;Житель N;passport;address;50;2`. */
export async function importAccounts(accounts: readonly string[]): Promise<void> {
  const rows = ['account;owner;passport;address;area;residents'];
  for (const account of accounts) {
    rows.push(
      `${account};Петрова Анна Сергеевна;14${account.slice(-2)} ${account};г. Старый Оскол, д. ${account};50;2`,
    );
  }
  const report = await importRegistry('accounts', Buffer.from(rows.join('\n')));
  expect(report.errors).toEqual([]);
}

/** What the account owes per service, as an opening balance carried over (a ledger entry). */
export async function owes(account: string, debts: Partial<Record<ServiceId, number>>): Promise<void> {
  for (const [service, amount] of Object.entries(debts)) {
    await db().send(
      new PutCommand({
        TableName: tableName(),
        Item: openingEntry(account, '2026-01', service as ServiceId, 1, amount as number, new Date().toISOString()),
      }),
    );
  }
}

/** Registers through the mailed link and sets the password: a browser with a session. */
export async function residentWithCabinet(stack: PaymentsStack, account: string): Promise<Client> {
  const browser = stack.client.fork();
  const captcha = await browser.request('GET', '/api/captcha');
  const email = `r${account}@example.ru`;
  const registered = await browser.request('POST', '/api/auth/register', {
    body: {
      account,
      passport: `14${account.slice(-2)} ${account}`,
      email,
      consent: true,
      captchaId: captcha.json.id,
      captchaAnswer: captcha.json.answer,
    },
  });
  expect(registered.status).toBe(202);
  const token = await mailedToken(email, '/confirm');
  const confirmed = await browser.request('POST', '/api/auth/confirm', { body: { token, password: PASSWORD } });
  expect(confirmed.status).toBe(200);
  return browser;
}

export async function balanceTotal(account: string): Promise<number> {
  return (await balanceOf(account)).total;
}

/** The account's payment ledger entries (what money actually moved). */
export async function paymentEntries(account: string): Promise<Array<{ id: string; total: number }>> {
  const out = await db().send(
    new QueryCommand({
      TableName: tableName(),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.account(account).pk, ':prefix': keys.ledgerPrefix },
    }),
  );
  return (out.Items ?? [])
    .filter((i) => i.kind === 'payment')
    .map((i) => ({ id: String(i.id), total: Number(i.total) }));
}

export async function storedPayment(account: string, id: string): Promise<PaymentItem | undefined> {
  const { getPayment } = await import('#shared/payments/store');
  return getPayment(account, id, true);
}

/** The sandbox's payment page form, submitted as a browser does. */
export async function submitPaymentPage(paymentUrl: string, action: 'pay' | 'decline') {
  return fetch(paymentUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ action }),
    redirect: 'manual',
  });
}

export function mdOrderOf(paymentUrl: string): string {
  return new URL(paymentUrl).searchParams.get('mdOrder') ?? '';
}

/** A callback as the gateway signs it; `key` another key for a forgery. */
export function signedCallback(params: Record<string, string>, key: string = CALLBACK_KEY): URLSearchParams {
  return new URLSearchParams({ ...params, checksum: callbackChecksum(params, key) });
}

/** The gateway's callback that the card payment was charged (`deposited`), signed; `amount` where the test sends it. */
export function depositedCallback(payment: { id: string; paymentUrl: string }, amount?: number): URLSearchParams {
  return signedCallback({
    mdOrder: mdOrderOf(payment.paymentUrl),
    orderNumber: payment.id,
    operation: 'deposited',
    status: '1',
    ...(amount === undefined ? {} : { amount: String(amount) }),
  });
}

/** A bank's request body with its signature headers, signed for `POST <path>` (another path or method: a replay). */
export function signedBankRequest(
  path: string,
  body: unknown,
  key: string = BANK_KEY,
  at = Math.floor(Date.now() / 1000),
  method = 'POST',
) {
  const raw = JSON.stringify(body);
  const timestamp = String(at);
  return {
    raw,
    headers: {
      'content-type': 'application/json',
      'x-rac-timestamp': timestamp,
      'x-rac-signature': bankSignature(key, { timestamp, method, path, rawBody: raw }),
    },
  };
}

export async function waitUntil(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}
