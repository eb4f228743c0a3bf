import { verifyCaptcha } from '#shared/accounts/captcha';
import { getAccount } from '#shared/accounts/store';
import { DomainError } from '#shared/errors';
import { reserveAccountAttempt } from '#shared/limits/attempts';
import { maskedName } from '#shared/payments/banks';
import { newCardPayment, openCardOrder } from '#shared/payments/card';
import { accountOfPaymentId, publicStatus, validatePaymentRequest } from '#shared/payments/model';
import { getPayment } from '#shared/payments/store';

/**
 * Paying for any account without login (a relative's, a tenant's): account number, amount and
 * the robot check open a card order at the acquirer like the resident's own payment — the same
 * payment item in the account's partition, the same callback, state machine, reconciliation and
 * ledger entry — marked with the payer's masked name (`payer`). The bank sends the payer back to
 * `/pay/result`, which asks `GET /api/pay/{id}`: amount and status, nothing about the account.
 *
 * Enumeration: the answer names the owner as surname and initials (so the payer can tell a typo
 * in the number), and 404 tells an account that does not exist. Each try costs a single-use
 * proof-of-work challenge, counts against the source address (`credentials`) and, for an
 * existing account, against that account (`guestPayment`); the full name, the address and
 * anything about the balance never leave.
 */

export const GUEST_RETURN_PATH = '/pay/result';

export interface GuestPaymentInput {
  account: string;
  amount?: unknown;
  captchaId: string;
  captchaAnswer: string;
  email?: string | undefined;
}

/** POST /api/pay: the amount first (a typo costs no challenge), then the robot check, then the account. */
export async function startGuestPayment(input: GuestPaymentInput) {
  const request = validatePaymentRequest({ amount: input.amount });
  if (!request.ok) throw DomainError.of('invalid_amount', { fields: request.fields });
  await verifyCaptcha(input.captchaId, input.captchaAnswer);
  await reserveAccountAttempt('guestPayment', input.account);
  const record = await getAccount(input.account);
  if (!record) throw DomainError.of('account_not_found', { fields: { account: 'Лицевой счёт не найден' } });
  const payer = maskedName(record.owner);
  const payment = newCardPayment(
    input.account,
    { amount: request.amount },
    { payer, ...(input.email ? { receiptEmail: input.email } : {}) },
  );
  const paymentUrl = await openCardOrder(payment, GUEST_RETURN_PATH);
  return { id: payment.id, paymentUrl, payer, amount: payment.amount };
}

/**
 * GET /api/pay/{id}: a guest payment's amount and status for the result page. The id (40 random
 * bits) is the only key; a resident's own payment is not a guest payment and is 404 here too.
 */
export async function guestPaymentStatus(id: string) {
  const account = accountOfPaymentId(id);
  const payment = account ? await getPayment(account, id) : undefined;
  if (!payment?.payer) throw DomainError.of('not_found', { subject: 'payment' });
  return { id: payment.id, amount: payment.amount, status: publicStatus(payment.status) };
}
