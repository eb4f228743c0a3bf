import { requireSession } from '#shared/accounts/sessions';
import { PAYMENTS_API } from '#shared/api/groups/payments';
import { DomainError } from '#shared/errors';
import { type ApiRequest, httpApi, parseOrThrow } from '#shared/http/api';
import { groupEntry } from '#shared/http/entry';
import { authenticateBank, checkAccount, receiveBankNotification } from '#shared/payments/banks';
import { handleSberCallback, paymentHistory, paymentOf, receiptOf, startCardPayment } from '#shared/payments/card';
import { guestPaymentStatus, startGuestPayment } from '#shared/payments/guest';
import { reconcilePendingPayments } from '#shared/payments/reconcile';
import { BankCheckRequest, BankPaymentRequest } from '#shared/payments/schemas';

/** A bank's request: its signature over method, path and raw body first, then the JSON inside. */
async function bankJson(request: ApiRequest): Promise<unknown> {
  const raw = request.rawBody ?? '';
  const { event } = request;
  await authenticateBank(
    request.params.bank ?? '',
    { method: event.requestContext.http.method, path: event.rawPath, headers: event.headers ?? {} },
    raw,
  );
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw DomainError.of('invalid_json');
  }
  return json;
}

const callback = async ({ rawBody, event }: Pick<ApiRequest, 'rawBody' | 'event'>) => ({
  body: await handleSberCallback(rawBody ?? '', event.rawQueryString ?? ''),
});

export const handler = groupEntry({
  http: httpApi(
    PAYMENTS_API,
    {
      // `current`: the session's current account (a linked one after switching, accounts/links.ts).
      'POST /api/payments': async ({ current, body }) => ({ body: await startCardPayment(current, body) }),
      'GET /api/payments': async ({ current }) => ({ body: await paymentHistory(current) }),
      'GET /api/payments/{id}': async ({ current, params }) => ({ body: await paymentOf(current, params.id ?? '') }),
      'GET /api/payments/{id}/receipt': async ({ current, params }) => ({
        body: await receiptOf(current, params.id ?? ''),
      }),
      'GET /api/webhooks/sber': callback,
      'POST /api/webhooks/sber': callback,
      'POST /api/banks/{bank}/check': async (request) => {
        const { account } = parseOrThrow(BankCheckRequest, await bankJson(request));
        return { body: await checkAccount(account) };
      },
      'POST /api/pay': async ({ body }) => ({ body: await startGuestPayment(body) }),
      'GET /api/pay/{id}': async ({ params }) => ({ body: await guestPaymentStatus(params.id) }),
      'POST /api/banks/{bank}/payments': async (request) => {
        const notification = parseOrThrow(BankPaymentRequest, await bankJson(request));
        return { body: await receiveBankNotification(request.params.bank ?? '', notification) };
      },
    },
    { authenticate: requireSession },
  ),
  jobs: {
    'payments.reconcile': reconcilePendingPayments,
  },
});
