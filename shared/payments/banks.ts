import { createHmac, timingSafeEqual } from 'node:crypto';
import { getAccount } from '#shared/accounts/store';
import { allocatePaymentToLedger, paidPeriod } from '#shared/billing/allocation';
import { balanceOf } from '#shared/billing/balance';
import { accountLedger } from '#shared/billing/store';
import { serviceTitle } from '#shared/billing/views';
import { ENV } from '#shared/env';
import { DomainError } from '#shared/errors';
import { keys } from '#shared/keys';
import { logger } from '#shared/logger';
import { countMetric, METRIC } from '#shared/metrics';
import { newPaymentId } from '#shared/payments/model';
import { paymentRef } from '#shared/payments/settlement';
import {
  type BankTransactionItem,
  type BankVia,
  claimBankReadings,
  getBankTransaction,
  type PaymentItem,
  releaseBankReadings,
  writeBankPayment,
} from '#shared/payments/store';
import { meterIdOf } from '#shared/readings/meterId';
import { lastReadingOf, meterReadingsOf, metersOf } from '#shared/readings/store';
import { submitReadings } from '#shared/readings/submitReadings';
import { serviceById } from '#shared/registry/services';
import { secretOrLocalDefault } from '#shared/secrets';
import { now, periodOf } from '#shared/time';

/**
 * Payments made in banks' own apps and branches by account number (Сбербанк Онлайн and the like).
 * Each bank signs its requests with its own key: `X-Rac-Timestamp` (Unix seconds) and
 * `X-Rac-Signature` = hex HMAC-SHA256(key, `<timestamp>\n<METHOD>\n<path>\n<raw body>`). The
 * method and path are signed so that a request signed for one route cannot be replayed at another
 * (a notification's signature at `/check`). A payment is idempotent on the bank's transaction id:
 * the guard item, the payment and its ledger entry are one transaction, and the bank's daily
 * registry skips what its notifications already brought.
 */

export const BANK_TIMESTAMP_HEADER = 'x-rac-timestamp';
export const BANK_SIGNATURE_HEADER = 'x-rac-signature';
/** A signed request older or newer than this is refused (a replayed check or a skewed clock). */
export const BANK_SIGNATURE_TOLERANCE_S = 300;

export const BANK_ID = /^[a-z0-9_-]{2,32}$/;

/** What a bank signs: the request as it sent it. */
export interface BankRequestLine {
  timestamp: string;
  /** Upper case, as on the wire: `POST`. */
  method: string;
  /** The path as sent, without the query: `/api/banks/sberbank/payments`. */
  path: string;
  rawBody: string;
}

export function bankSigningString(request: BankRequestLine): string {
  return `${request.timestamp}\n${request.method}\n${request.path}\n${request.rawBody}`;
}

export function bankSignature(key: string, request: BankRequestLine): string {
  return createHmac('sha256', key).update(bankSigningString(request), 'utf8').digest('hex');
}

/** Whether the request is signed with the bank's key within the tolerance; constant-time compare. */
export function verifyBankSignature(
  input: Omit<BankRequestLine, 'timestamp'> & {
    key: string;
    timestamp: string | undefined;
    signature: string | undefined;
    nowSeconds: number;
  },
): boolean {
  const { key, timestamp, signature, nowSeconds } = input;
  if (!timestamp || !/^\d{1,12}$/.test(timestamp) || !signature || !/^[0-9a-fA-F]{64}$/.test(signature)) return false;
  if (Math.abs(nowSeconds - Number(timestamp)) > BANK_SIGNATURE_TOLERANCE_S) return false;
  const expected = Buffer.from(bankSignature(key, { ...input, timestamp }), 'hex');
  return timingSafeEqual(expected, Buffer.from(signature, 'hex'));
}

/**
 * The configured banks and their keys. A Map, looked up by the id as given: an id such as
 * `__proto__` or `constructor` is just another unknown bank, never a property of Object.prototype.
 */
async function bankKeys(): Promise<ReadonlyMap<string, string>> {
  const raw = await secretOrLocalDefault(ENV.bankSecrets);
  if (!raw) return new Map();
  try {
    const parsed = JSON.parse(raw) as unknown;
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return new Map();
    return new Map(
      Object.entries(parsed).filter(
        (e): e is [string, string] => BANK_ID.test(e[0]) && typeof e[1] === 'string' && e[1].length >= 16,
      ),
    );
  } catch {
    logger.error(`${ENV.bankSecrets} is not JSON`);
    return new Map();
  }
}

/** Refuses anything but a request signed by a known bank's key for this very method and path. */
export async function authenticateBank(
  bank: string,
  request: { method: string; path: string; headers: Record<string, string | undefined> },
  rawBody: string,
): Promise<void> {
  const key = (await bankKeys()).get(bank);
  // Wall-clock time: RAC_NOW pins the domain's clock, not the freshness of a signature.
  const ok =
    key !== undefined &&
    verifyBankSignature({
      key,
      timestamp: request.headers[BANK_TIMESTAMP_HEADER],
      signature: request.headers[BANK_SIGNATURE_HEADER],
      method: request.method,
      path: request.path,
      rawBody,
      nowSeconds: Math.floor(Date.now() / 1000),
    });
  if (!ok) {
    countMetric(METRIC.forgedBankRequest);
    logger.warn('Bank request refused: unknown bank or bad signature', { known: key !== undefined });
    throw DomainError.of('bank_unauthorized');
  }
}

/** "Иванова Мария Петровна" → "Иванова М. П.": enough for the payer to recognise, no more. */
export function maskedName(owner: string): string {
  const [surname = '', ...rest] = owner.trim().split(/\s+/);
  return [surname, ...rest.map((part) => `${part.charAt(0)}.`)].join(' ');
}

/**
 * The bank's check before a payment: the account exists, what it owes, its meters. Two queries at
 * once: the ledger, and the range that holds the registry's record, the meters and their readings
 * (a meter's last reading is its newest reading item).
 */
export async function checkAccount(account: string) {
  const [{ profile, meters, readings }, balance] = await Promise.all([meterReadingsOf(account), balanceOf(account)]);
  if (!profile) throw DomainError.of('account_not_found');
  return {
    account,
    payer: maskedName(profile.owner),
    address: profile.address,
    /** What to offer as the amount: the debt, 0 when nothing is owed. */
    debt: Math.max(0, balance.total),
    balance: balance.total,
    services: balance.services
      .filter((s) => s.balance !== 0)
      .map((s) => ({ service: s.service, title: serviceTitle(s.service), balance: s.balance })),
    meters: meters
      .map((m) => ({
        id: meterIdOf(m.serial),
        serial: m.serial,
        service: m.service,
        title: serviceById(m.service).title,
        lastReading: lastReadingOf(readings.get(m.serial))?.value ?? null,
      }))
      .sort((a, b) => a.service.localeCompare(b.service) || a.serial.localeCompare(b.serial)),
  };
}

const PAID_AT_SKEW_MS = 60 * 60 * 1000;

export interface BankPayment {
  bank: string;
  transactionId: string;
  account: string;
  amount: number;
  /** ISO instant. */
  paidAt: string;
  via: BankVia;
  /** The bill the payer paid (`YYYY-MM`), when the bank passes it on (the QR's PaymPeriod). */
  period?: string | undefined;
}

export type BankPaymentOutcome =
  | { id: string; duplicate: false }
  | { id: string; duplicate: true; via: BankVia; readingsProcessed: boolean };

function sameTransaction(existing: BankTransactionItem, payment: BankPayment): BankPaymentOutcome {
  if (existing.account !== payment.account || existing.amount !== payment.amount) {
    throw DomainError.of('transaction_conflict');
  }
  return { id: existing.paymentId, duplicate: true, via: existing.via, readingsProcessed: existing.readingsProcessed };
}

/**
 * Records a bank's payment once per (bank, transaction id): credited to the ledger at once (the
 * bank holds the money). A repeat with the same account and amount is a duplicate (its first
 * record is returned); with other data it is a conflict and nothing is written.
 */
export async function recordBankPayment(payment: BankPayment): Promise<BankPaymentOutcome> {
  // A bank's clock may run a little ahead of ours; a payment from tomorrow is a mistake.
  if (Date.parse(payment.paidAt) > now().getTime() + PAID_AT_SKEW_MS) {
    throw DomainError.of('invalid_input', { fields: { paidAt: 'Время платежа позже текущего.' } });
  }
  const earlier = await getBankTransaction(payment.bank, payment.transactionId);
  if (earlier) return sameTransaction(earlier, payment);
  if (!(await getAccount(payment.account))) throw DomainError.of('account_not_found');
  // The named bill first, then the oldest debts, then an advance (shared/billing/allocation.ts).
  const allocation = allocatePaymentToLedger(payment.amount, await accountLedger(payment.account), payment.period);
  const createdAt = now().toISOString();
  const id = newPaymentId(payment.account, new Date(payment.paidAt));
  const guard: BankTransactionItem = {
    ...keys.bankTransaction(payment.bank, payment.transactionId),
    entity: 'bankTransaction',
    bank: payment.bank,
    transactionId: payment.transactionId,
    account: payment.account,
    amount: payment.amount,
    paymentId: id,
    via: payment.via,
    paidAt: payment.paidAt,
    createdAt,
    readingsProcessed: false,
  };
  const item: PaymentItem = {
    ...keys.payment(payment.account, id),
    entity: 'payment',
    id,
    account: payment.account,
    amount: payment.amount,
    status: 'succeeded',
    channel: 'bank',
    bank: payment.bank,
    bankTransactionId: payment.transactionId,
    via: payment.via,
    createdAt,
    updatedAt: createdAt,
    paidAt: payment.paidAt,
    ...(payment.period ? { period: payment.period } : {}),
    allocation,
    history: [{ status: 'succeeded', at: createdAt }],
  };
  if (await writeBankPayment(guard, item, { allocation, period: periodOf(new Date(payment.paidAt)) })) {
    logger.info('Bank payment recorded', { ref: paymentRef(id), bank: payment.bank, via: payment.via });
    return { id, duplicate: false };
  }
  // Another request with the same transaction id won the race.
  const winner = await getBankTransaction(payment.bank, payment.transactionId);
  if (!winner) throw new Error('A bank transaction guard vanished');
  return sameTransaction(winner, payment);
}

export interface BankReading {
  /** The meter's serial as the registry knows it, or its id from the check answer. */
  meter: string;
  value: string;
}

export type ReadingsOutcome =
  | { accepted: true; period: string; count: number }
  | { accepted: false; code: string; message: string; fields?: Record<string, string> };

/**
 * The readings a resident typed in the bank's app, through the same rules as the portal's
 * (window, verification, no decrease, typo guard). Taken once per bank transaction: a registry
 * that repeats a notification's readings, or a re-imported registry, does not submit them again
 * (a later correction on the portal must not be overwritten by the bank's older value).
 */
export async function takeBankReadings(
  bank: string,
  transactionId: string,
  account: string,
  readings: readonly BankReading[],
): Promise<ReadingsOutcome | undefined> {
  if (readings.length === 0) return undefined;
  if (!(await claimBankReadings(bank, transactionId))) return undefined;
  try {
    const meters = await metersOf(account);
    const idOf = (meter: string) => {
      const bySerial = meters.find((m) => m.serial === meter);
      return bySerial ? meterIdOf(bySerial.serial) : meter;
    };
    const result = await submitReadings(
      account,
      readings.map((r) => ({ meterId: idOf(r.meter), value: r.value })),
      'bank',
    );
    return { accepted: true, period: result.period, count: result.items.length };
  } catch (error) {
    if (error instanceof DomainError && error.status < 500) {
      return {
        accepted: false,
        code: error.code,
        message: error.message,
        ...(error.fields ? { fields: error.fields } : {}),
      };
    }
    // Not the readings' fault: let a retry (the bank's, or the next import) take them.
    await releaseBankReadings(bank, transactionId).catch(() => undefined);
    throw error;
  }
}

/** A bank's notification of a payment (and the readings typed with it): recorded once, answered alike. */
export async function receiveBankNotification(
  bank: string,
  notification: {
    transactionId: string;
    account: string;
    amount: number;
    paidAt: string;
    period?: string | undefined;
    readings?: BankReading[] | undefined;
  },
) {
  const outcome = await recordBankPayment({
    bank,
    transactionId: notification.transactionId,
    account: notification.account,
    amount: notification.amount,
    paidAt: new Date(notification.paidAt).toISOString(),
    via: 'notification',
    period: paidPeriod(notification.period),
  });
  const readings = await takeBankReadings(
    bank,
    notification.transactionId,
    notification.account,
    notification.readings ?? [],
  );
  return { id: outcome.id, status: 'succeeded' as const, duplicate: outcome.duplicate, readings: readings ?? null };
}
