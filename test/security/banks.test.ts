import { generateKeyPairSync } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { invokeGroup } from '#local/lambda';
import { ENV } from '#shared/env';
import { METRIC, metricCount } from '#shared/metrics';
import { callbackPublicKey, callbackRsaChecksum, verifyCallbackChecksum } from '#shared/payments/sber';
import { getBankTransaction } from '#shared/payments/store';
import { httpEvent } from '#test/support/events';
import type { Client } from '#test/support/http';
import {
  BANK_KEY,
  importAccounts,
  mdOrderOf,
  owes,
  type PaymentsStack,
  paymentEntries,
  residentWithCabinet,
  signedBankRequest,
  signedCallback,
  startPaymentsStack,
  storedPayment,
  submitPaymentPage,
  waitUntil,
} from '#test/support/payments';

/**
 * Forged bank traffic, replayed as an attacker would: a bank request signed for one route sent to
 * another or with another method, a stale signature, bank ids that are Object.prototype's own
 * names or malformed escapes; and acquirer callbacks signed with the gateway's RSA key (verified
 * with its public key, against the gateway documentation's published example too) or forged.
 * Every refusal moves no money.
 */

// The gateway's asymmetric example, as published in its callback documentation (RBS eCommerce API
// "Asymmetric cryptography", Java and PHP samples; reproduced in the npm package sber-acquiring's
// README): the test certificate of the gateway (1024-bit RSA) and a callback it signed, SHA-512.
const PUBLISHED_CERTIFICATE = [
  '-----BEGIN CERTIFICATE-----',
  'MIICcTCCAdqgAwIBAgIGAWAnZt3aMA0GCSqGSIb3DQEBCwUAMHwxIDAeBgkqhkiG9w0BCQEWEWt6',
  'bnRlc3RAeWFuZGV4LnJ1MQswCQYDVQQGEwJSVTESMBAGA1UECBMJVGF0YXJzdGFuMQ4wDAYDVQQH',
  'EwVLYXphbjEMMAoGA1UEChMDUkJTMQswCQYDVQQLEwJRQTEMMAoGA1UEAxMDUkJTMB4XDTE3MTIw',
  'NTE2MDEyMFoXDTE4MTIwNTE2MDExOVowfDEgMB4GCSqGSIb3DQEJARYRa3pudGVzdEB5YW5kZXgu',
  'cnUxCzAJBgNVBAYTAlJVMRIwEAYDVQQIEwlUYXRhcnN0YW4xDjAMBgNVBAcTBUthemFuMQwwCgYD',
  'VQQKEwNSQlMxCzAJBgNVBAsTAlFBMQwwCgYDVQQDEwNSQlMwgZ8wDQYJKoZIhvcNAQEBBQADgY0A',
  'MIGJAoGBAJNgxgtWRFe8zhF6FE1C8s1t/dnnC8qzNN+uuUOQ3hBx1CHKQTEtZFTiCbNLMNkgWtJ/',
  'CRBBiFXQbyza0/Ks7FRgSD52qFYUV05zRjLLoEyzG6LAfihJwTEPddNxBNvCxqdBeVdDThG81zC0',
  'DiAhMeSwvcPCtejaDDSEYcQBLLhDAgMBAAEwDQYJKoZIhvcNAQELBQADgYEAfRP54xwuGLW/Cg08',
  'ar6YqhdFNGq5TgXMBvQGQfRvL7W6oH67PcvzgvzN8XCL56dcpB7S8ek6NGYfPQ4K2zhgxhxpFEDH',
  'PcgU4vswnhhWbGVMoVgmTA0hEkwq86CA5ZXJkJm6f3E/J6lYoPQaKatKF24706T6iH2htG4Bkjre',
  'gUA=',
  '-----END CERTIFICATE-----',
].join('\n');
const PUBLISHED_CALLBACK = {
  amount: '35000099',
  sign_alias: 'SHA-256 with RSA',
  checksum:
    '163BD9FAE437B5DCDAAC4EB5ECEE5E533DAC7BD2C8947B0719F7A8BD17C101EBDBEACDB295C10BF041E903AF3FF1E6101FF7DB9BD024C' +
    '6272912D86382090D5A7614E174DC034EBBB541435C80869CEED1F1E1710B71D6EE7F52AE354505A83A1E279FBA02572DC4661C1D75ABF' +
    '5A7130B70306CAFA69DABC2F6200A698198F8',
  mdOrder: '12b59da8-f68f-7c8d-12b5-9da8000826ea',
  operation: 'deposited',
  status: '1',
};
// The same documentation's PHP sample: a 2048-bit public key (PEM) and its checksum of the same callback.
const PUBLISHED_PUBLIC_KEY = [
  '-----BEGIN PUBLIC KEY-----',
  'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAwtuGKbQ4WmfdV1gjWWys',
  '5jyHKTWXnxX3zVa5/Cx5aKwJpOsjrXnHh6l8bOPQ6Sgj3iSeKJ9plZ3i7rPjkfmw',
  'qUOJ1eLU5NvGkVjOgyi11aUKgEKwS5Iq5HZvXmPLzu+U22EUCTQwjBqnE/Wf0hnI',
  'wYABDgc0fJeJJAHYHMBcJXTuxF8DmDf4DpbLrQ2bpGaCPKcX+04POS4zVLVCHF6N',
  '6gYtM7U2QXYcTMTGsAvmIqSj1vddGwvNGeeUVoPbo6enMBbvZgjN5p6j3ItTziMb',
  'Vba3m/u7bU1dOG2/79UpGAGR10qEFHiOqS6WpO7CuIR2tL9EznXRc7D9JZKwGfoY',
  '/QIDAQAB',
  '-----END PUBLIC KEY-----',
].join('\n');
const PUBLISHED_PEM_CHECKSUM =
  '9524FD765FB1BABFB1F42E4BC6EF5A4B07BAA3F9C809098ACBB462618A9327539F975FEDB4CF6EC1556FF88BA74774342AF4F5B51BA63' +
  '903BE9647C670EBD962467282955BD1D57B16935C956864526810870CD32967845EBABE1C6565C03F94FF66907CEDB54669A1C74AC1AD6E' +
  '39B67FA7EF6D305A007A474F03B80FD6C965656BEAA74E09BB1189F4B32E622C903DC52843C454B7ACF76D6F76324C27767DE2FF6E7217716' +
  'C19C530CA7551DB58268CC815638C30F3BCA3270E1FD44F63C14974B108E65C20638ECE2F2D752F32742FFC5077415102706FA5235D310D4' +
  '948A780B08D1B75C8983F22F211DFCBF14435F262ADDA6A97BFEB6D332C3D51010B';

// Our test gateway's key pair: the sandbox signs with the private half, the portal verifies.
const gatewayKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const attackerKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const GATEWAY_PUBLIC_PEM = gatewayKeys.publicKey.export({ type: 'spki', format: 'pem' }).toString();

let stack: PaymentsStack;

beforeAll(async () => {
  stack = await startPaymentsStack({ callbackPrivateKey: gatewayKeys.privateKey });
  await importAccounts(['500001', '500002', '500003']);
  await owes('500001', { cold_water: 100_000 });
  await owes('500002', { cold_water: 50_000 });
});
afterAll(() => stack.stop());
afterEach(() => {
  delete process.env[ENV.sberCallbackPublicKey];
});

const now = () => Math.floor(Date.now() / 1000);

async function sendSigned(
  sendTo: { method?: string; path: string },
  signedFor: { method?: string; path: string },
  body: unknown,
  at = now(),
) {
  const signed = signedBankRequest(signedFor.path, body, BANK_KEY, at, signedFor.method ?? 'POST');
  return stack.client.request(sendTo.method ?? 'POST', sendTo.path, { raw: signed.raw, headers: signed.headers });
}

function expectRefused(res: { status: number; json: any }) {
  expect(res.status).toBe(401);
  expect(res.json.error.code).toBe('bank_unauthorized');
}

describe('a bank request signed for one route is good for that route only', () => {
  const payment = { transactionId: 'SB-REPLAY-1', account: '500001', amount: 10_000, paidAt: new Date().toISOString() };

  it('refuses a notification signed for /payments replayed at /check, and the reverse', async () => {
    const before = metricCount(METRIC.forgedBankRequest);
    expectRefused(
      await sendSigned({ path: '/api/banks/sberbank/check' }, { path: '/api/banks/sberbank/payments' }, payment),
    );
    expectRefused(
      await sendSigned({ path: '/api/banks/sberbank/payments' }, { path: '/api/banks/sberbank/check' }, payment),
    );
    expect(metricCount(METRIC.forgedBankRequest) - before).toBe(2);
    expect(await getBankTransaction('sberbank', payment.transactionId)).toBeUndefined();
    expect(await paymentEntries('500001')).toEqual([]);
  });

  it('refuses a signature made for another method of the same path', async () => {
    for (const method of ['GET', 'PUT', 'post']) {
      expectRefused(
        await sendSigned(
          { path: '/api/banks/sberbank/payments' },
          { method, path: '/api/banks/sberbank/payments' },
          payment,
        ),
      );
    }
    expect(await paymentEntries('500001')).toEqual([]);
  });

  it('refuses a signature older or newer than five minutes, and takes one just inside', async () => {
    const check = { account: '500001' };
    const route = { path: '/api/banks/sberbank/check' };
    expectRefused(await sendSigned(route, route, check, now() - 310));
    expectRefused(await sendSigned(route, route, check, now() + 310));
    expect((await sendSigned(route, route, check, now() - 290)).status).toBe(200);
  });

  it('credits a payment signed for its own route exactly once', async () => {
    const route = { path: '/api/banks/sberbank/payments' };
    const body = { ...payment, transactionId: 'SB-OWN-ROUTE', account: '500002', amount: 5_000 };
    const first = await sendSigned(route, route, body);
    expect(first.status).toBe(200);
    // The very same signed request again (a replay within the window): a duplicate, no money.
    expect((await sendSigned(route, route, body)).json).toMatchObject({ duplicate: true });
    expect(await paymentEntries('500002')).toEqual([{ id: first.json.id, total: -5_000 }]);
  });
});

describe('bank ids that are not configured are refused, whatever their spelling', () => {
  const names = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'prototype', 'SBERBANK', 'vtb'];

  it.each(names)('%s → 401 bank_unauthorized, signed with a real key for that very path', async (bank) => {
    const path = `/api/banks/${bank}/check`;
    expectRefused(await sendSigned({ path }, { path }, { account: '500001' }));
    const payPath = `/api/banks/${bank}/payments`;
    const body = { transactionId: `SB-${bank}`, account: '500001', amount: 100, paidAt: new Date().toISOString() };
    expectRefused(await sendSigned({ path: payPath }, { path: payPath }, body));
  });

  it('a malformed %-escape in the bank id is no route at all: 404 through the gateway', async () => {
    for (const path of ['/api/banks/%E0/check', '/api/banks/%/payments', '/api/banks/%zz/check']) {
      const res = await sendSigned({ path }, { path }, { account: '500001' });
      expect(res.status).toBe(404);
      expect(res.json.error.code).toBe('not_found');
    }
  });

  it('the function itself: 401 for an id API Gateway passes on as is, 404 when it must match the path', async () => {
    const path = '/api/banks/%E0/check';
    const signed = signedBankRequest(path, { account: '500001' });
    const routed = httpEvent('POST', path, {
      routePath: '/api/banks/{bank}/check',
      headers: signed.headers,
      body: signed.raw,
    });
    routed.pathParameters = { bank: '%E0' };
    const refused = (await invokeGroup('payments', routed)) as { statusCode: number; body: string };
    expect(refused.statusCode).toBe(401);
    expect(JSON.parse(refused.body).error.code).toBe('bank_unauthorized');

    const unmatched = httpEvent('POST', path, {
      headers: { ...signed.headers, 'x-requested-with': 'XMLHttpRequest' },
      body: signed.raw,
    });
    unmatched.routeKey = '$default';
    const missing = (await invokeGroup('payments', unmatched)) as { statusCode: number; body: string };
    expect(missing.statusCode).toBe(404);
    expect(await paymentEntries('500001')).toEqual([]);
  });
});

describe('acquirer callbacks with the asymmetric checksum (RSA, SHA-512)', () => {
  it('verifies the gateway documentation’s published examples, and refuses them altered', () => {
    const certificate = { publicKey: callbackPublicKey(PUBLISHED_CERTIFICATE) };
    expect(verifyCallbackChecksum(PUBLISHED_CALLBACK, certificate)).toBe(true);
    // sign_alias is not signed; everything else is.
    expect(verifyCallbackChecksum({ ...PUBLISHED_CALLBACK, sign_alias: '' }, certificate)).toBe(true);
    expect(verifyCallbackChecksum({ ...PUBLISHED_CALLBACK, amount: '35000098' }, certificate)).toBe(false);
    expect(verifyCallbackChecksum({ ...PUBLISHED_CALLBACK, status: '0' }, certificate)).toBe(false);
    expect(verifyCallbackChecksum({ ...PUBLISHED_CALLBACK, orderNumber: '1' }, certificate)).toBe(false);

    const pem = { publicKey: callbackPublicKey(PUBLISHED_PUBLIC_KEY) };
    expect(verifyCallbackChecksum({ ...PUBLISHED_CALLBACK, checksum: PUBLISHED_PEM_CHECKSUM }, pem)).toBe(true);
    expect(verifyCallbackChecksum({ ...PUBLISHED_CALLBACK, checksum: PUBLISHED_PEM_CHECKSUM.toLowerCase() }, pem)).toBe(
      true,
    );
    // One key's signature is not another's; the HMAC secret alone does not take an RSA checksum.
    expect(verifyCallbackChecksum(PUBLISHED_CALLBACK, pem)).toBe(false);
    expect(verifyCallbackChecksum(PUBLISHED_CALLBACK, 'rac-sandbox-callback-secret')).toBe(false);
    // A key kept on one line with \n escapes (as env files store it) is the same key.
    const oneLine = { publicKey: callbackPublicKey(PUBLISHED_PUBLIC_KEY.replaceAll('\n', '\\n')) };
    expect(verifyCallbackChecksum({ ...PUBLISHED_CALLBACK, checksum: PUBLISHED_PEM_CHECKSUM }, oneLine)).toBe(true);
  });

  it('takes the published callback through the webhook when that certificate is configured; 403 once altered', async () => {
    process.env[ENV.sberCallbackPublicKey] = PUBLISHED_CERTIFICATE;
    const genuine = await stack.client.request('GET', `/api/webhooks/sber?${new URLSearchParams(PUBLISHED_CALLBACK)}`);
    // Past the checksum: the example names no orderNumber of ours, so it is an incomplete callback.
    expect(genuine.status).toBe(400);
    expect(genuine.json.error.code).toBe('invalid_callback');
    const altered = new URLSearchParams({ ...PUBLISHED_CALLBACK, amount: '1' });
    const forged = await stack.client.request('GET', `/api/webhooks/sber?${altered}`);
    expect(forged.status).toBe(403);
    expect(forged.json.error.code).toBe('invalid_signature');
    // Without the public key configured, an RSA checksum is no checksum at all.
    delete process.env[ENV.sberCallbackPublicKey];
    const unconfigured = await stack.client.request(
      'GET',
      `/api/webhooks/sber?${new URLSearchParams(PUBLISHED_CALLBACK)}`,
    );
    expect(unconfigured.status).toBe(403);
  });

  describe('a card payment settled by RSA-signed callbacks', () => {
    let resident: Client;

    beforeAll(async () => {
      resident = await residentWithCabinet(stack, '500003');
    });

    async function pendingPayment(amount: number) {
      const res = await resident.request('POST', '/api/payments', { body: { amount } });
      expect(res.status).toBe(201);
      return res.json as { id: string; paymentUrl: string };
    }

    it('settles on the sandbox gateway’s RSA-signed callback', async () => {
      process.env[ENV.sberCallbackPublicKey] = GATEWAY_PUBLIC_PEM;
      const paid = await pendingPayment(7_000);
      expect((await submitPaymentPage(paid.paymentUrl, 'pay')).status).toBe(303);
      await waitUntil(async () => (await storedPayment('500003', paid.id))?.status === 'succeeded', 'RSA callback');
      await stack.sandbox.idle();
      expect(stack.sandbox.callbacks.filter((c) => c.orderId === mdOrderOf(paid.paymentUrl))).toEqual([
        expect.objectContaining({ attempt: 1, status: 200 }),
      ]);
    });

    it('refuses a callback signed with another RSA key, or altered after signing: 403, nothing moves', async () => {
      process.env[ENV.sberCallbackPublicKey] = GATEWAY_PUBLIC_PEM;
      const paid = await pendingPayment(8_000);
      const mdOrder = mdOrderOf(paid.paymentUrl);
      stack.sandbox.complete(mdOrder, 'pay', { sendCallback: false });
      const params = { amount: '8000', mdOrder, operation: 'deposited', orderNumber: paid.id, status: '1' };
      const before = metricCount(METRIC.forgedCallback);
      const forged = new URLSearchParams({ ...params, checksum: callbackRsaChecksum(params, attackerKeys.privateKey) });
      const genuine = callbackRsaChecksum(params, gatewayKeys.privateKey);
      const altered = new URLSearchParams({ ...params, amount: '80000', checksum: genuine });
      for (const query of [forged, altered]) {
        const res = await stack.client.request('GET', `/api/webhooks/sber?${query}`);
        expect(res.status).toBe(403);
        expect(res.json.error.code).toBe('invalid_signature');
      }
      expect(metricCount(METRIC.forgedCallback) - before).toBe(2);
      expect((await storedPayment('500003', paid.id))?.status).toBe('pending');

      // The gateway's own signature of the same callback settles it.
      const signed = new URLSearchParams({ ...params, checksum: genuine });
      expect((await stack.client.request('GET', `/api/webhooks/sber?${signed}`)).status).toBe(200);
      expect((await storedPayment('500003', paid.id))?.status).toBe('succeeded');
    });

    it('keeps taking HMAC checksums with the shared secret while the public key is set', async () => {
      process.env[ENV.sberCallbackPublicKey] = GATEWAY_PUBLIC_PEM;
      const paid = await pendingPayment(9_000);
      const mdOrder = mdOrderOf(paid.paymentUrl);
      stack.sandbox.complete(mdOrder, 'pay', { sendCallback: false });
      const hmac = signedCallback({
        amount: '9000',
        mdOrder,
        operation: 'deposited',
        orderNumber: paid.id,
        status: '1',
      });
      expect((await stack.client.request('GET', `/api/webhooks/sber?${hmac}`)).status).toBe(200);
      expect((await storedPayment('500003', paid.id))?.status).toBe('succeeded');
    });
  });
});
