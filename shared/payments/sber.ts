import { createHmac, createPublicKey, type KeyObject, sign, timingSafeEqual, verify } from 'node:crypto';
import { config } from '#shared/config';
import { ENV } from '#shared/env';
import type { GatewayOrder } from '#shared/payments/model';
import { secretOrLocalDefault, secretValue } from '#shared/secrets';

/**
 * The acquirer adapter: the Sberbank payment gateway's REST protocol (register.do,
 * getOrderStatusExtended.do, refund.do: form-encoded POSTs answered with JSON) and its callback
 * notifications with a checksum: symmetric (HMAC-SHA256 with a shared secret) or asymmetric (an
 * RSA signature with SHA-512 by the gateway's private key, which the bank advises merchants to
 * prefer: a leaked public key forges nothing). The local sandbox acquirer (local/sandboxAcquirer.ts)
 * speaks the same protocol with the same functions, so what the tests exercise is this code.
 */

/** orderStatus of getOrderStatusExtended.do. */
export const ORDER_STATUS = {
  registered: 0,
  held: 1,
  deposited: 2,
  reversed: 3,
  refunded: 4,
  acsInitiated: 5,
  declined: 6,
} as const;

/** The gateway's errorCode for an order it does not know. */
export const ERROR_ORDER_NOT_FOUND = '6';

/** Parameters of a callback that the checksum does not cover. */
const UNSIGNED = new Set(['checksum', 'sign_alias']);

/** `name;value;` for every signed parameter, sorted by name: what the checksum is computed over. */
export function callbackSignatureBase(params: Readonly<Record<string, string>>): string {
  return Object.keys(params)
    .filter((name) => !UNSIGNED.has(name))
    .sort()
    .map((name) => `${name};${params[name]};`)
    .join('');
}

/** Upper-case hex HMAC-SHA256 of the signature base, as the gateway sends it. */
export function callbackChecksum(params: Readonly<Record<string, string>>, key: string): string {
  return createHmac('sha256', key).update(callbackSignatureBase(params), 'utf8').digest('hex').toUpperCase();
}

/**
 * The gateway's asymmetric checksum: upper-case hex of an RSA (PKCS#1 v1.5) signature with SHA-512
 * over the same signature base. The sandbox signs this way when given a private key.
 */
export function callbackRsaChecksum(params: Readonly<Record<string, string>>, privateKey: KeyObject | string): string {
  return sign('sha512', Buffer.from(callbackSignatureBase(params), 'utf8'), privateKey)
    .toString('hex')
    .toUpperCase();
}

/** The keys a callback may be signed with: at least one of them is configured. */
export interface CallbackKeys {
  /** `SBER_CALLBACK_SECRET`: HMAC-SHA256 checksums (64 hex digits). */
  secret?: string | undefined;
  /** `SBER_CALLBACK_PUBLIC_KEY`: RSA SHA-512 checksums (as many hex digits as the key has bits / 4). */
  publicKey?: KeyObject | undefined;
}

const HMAC_CHECKSUM = /^[0-9A-Fa-f]{64}$/;
/** RSA keys of 1024 to 8192 bits: 256 to 2048 hex digits. */
const RSA_CHECKSUM = /^(?:[0-9A-Fa-f]{2}){128,1024}$/;

/**
 * Whether the callback carries a checksum made with one of the keys: an HMAC compared in constant
 * time, or an RSA signature verified with the gateway's public key. The kind is told by its length
 * (an HMAC-SHA256 is 64 hex digits, an RSA signature at least 256), not by `sign_alias`, which the
 * sender chooses and the checksum does not cover.
 */
export function verifyCallbackChecksum(params: Readonly<Record<string, string>>, keys: string | CallbackKeys): boolean {
  const { secret, publicKey } = typeof keys === 'string' ? { secret: keys, publicKey: undefined } : keys;
  const given = params.checksum;
  if (!given) return false;
  if (HMAC_CHECKSUM.test(given)) {
    if (!secret) return false;
    const expected = Buffer.from(callbackChecksum(params, secret), 'hex');
    return timingSafeEqual(expected, Buffer.from(given, 'hex'));
  }
  if (!publicKey || !RSA_CHECKSUM.test(given)) return false;
  try {
    return verify('sha512', Buffer.from(callbackSignatureBase(params), 'utf8'), publicKey, Buffer.from(given, 'hex'));
  } catch {
    // A signature that does not fit the key (another length) is simply not the gateway's.
    return false;
  }
}

/**
 * A callback's parameters: from the form-encoded body when there is one, else from the query
 * string (the gateway sends GET by default, POST when so configured). A parameter given twice is
 * ambiguous (which one did the bank sign?): undefined.
 */
export function callbackParams(rawBody: string, rawQuery: string): Record<string, string> | undefined {
  const source = new URLSearchParams(rawBody.trim() !== '' ? rawBody.trim() : rawQuery);
  const params: Record<string, string> = {};
  for (const [name, value] of source) {
    if (Object.hasOwn(params, name)) return undefined;
    params[name] = value;
  }
  return params;
}

export class AcquirerError extends Error {
  /** `unavailable`: no answer (retry later); `refused`: the gateway answered with an error code. */
  readonly kind: 'unavailable' | 'refused';
  readonly errorCode: string | undefined;
  constructor(kind: 'unavailable' | 'refused', message: string, errorCode?: string) {
    super(message);
    this.name = 'AcquirerError';
    this.kind = kind;
    this.errorCode = errorCode;
  }
}

const publicKeys = new Map<string, KeyObject>();

/**
 * The gateway's public key from PEM: a `PUBLIC KEY` or the `CERTIFICATE` the bank's console hands
 * out. A value kept on one line with `\n` escapes (as env files and consoles often store it) is
 * accepted too. A value that is not a key is a configuration error.
 */
export function callbackPublicKey(pem: string): KeyObject {
  const text = pem.includes('\\n') && !pem.includes('\n') ? pem.replaceAll('\\n', '\n') : pem;
  let key = publicKeys.get(text);
  if (!key) {
    try {
      key = createPublicKey(text);
    } catch {
      throw new Error(`${ENV.sberCallbackPublicKey} is not a PEM public key or certificate`);
    }
    if (key.asymmetricKeyType !== 'rsa') throw new Error(`${ENV.sberCallbackPublicKey} is not an RSA key`);
    publicKeys.set(text, key);
  }
  return key;
}

/** The keys callbacks may be signed with; deployed, neither of them set is a configuration error. */
export async function callbackKeys(): Promise<CallbackKeys> {
  const [secret, pem] = await Promise.all([
    secretOrLocalDefault(ENV.sberCallbackSecret),
    secretValue(ENV.sberCallbackPublicKey),
  ]);
  if (!secret && !pem) throw new Error(`${ENV.sberCallbackSecret} or ${ENV.sberCallbackPublicKey} is not set`);
  return { secret, publicKey: pem ? callbackPublicKey(pem) : undefined };
}

async function credentials(): Promise<Record<string, string>> {
  const token = await secretValue(ENV.sberToken);
  if (token) return { token };
  const userName = await secretOrLocalDefault(ENV.sberUserName);
  const password = await secretOrLocalDefault(ENV.sberPassword);
  if (!userName || !password) throw new Error(`${ENV.sberToken} or ${ENV.sberUserName}/${ENV.sberPassword} is not set`);
  return { userName, password };
}

export function gatewayBaseUrl(): string {
  const { sberGatewayUrl, runtime, publicUrl } = config();
  if (sberGatewayUrl) return sberGatewayUrl.replace(/\/+$/, '');
  if (runtime === 'local') return `${publicUrl}/sandbox-bank/payment/rest`;
  throw new Error(`${ENV.sberGatewayUrl} is not set`);
}

const TIMEOUT_MS = 10_000;

/** One form-encoded POST to the gateway; its JSON answer. Network trouble is `unavailable`. */
async function call(method: string, params: Record<string, string>): Promise<Record<string, unknown>> {
  const body = new URLSearchParams({ ...(await credentials()), ...params });
  let response: Response;
  try {
    response = await fetch(`${gatewayBaseUrl()}/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    throw new AcquirerError('unavailable', `${method}: ${(error as Error).name}`);
  }
  if (!response.ok) throw new AcquirerError('unavailable', `${method}: HTTP ${response.status}`);
  try {
    return (await response.json()) as Record<string, unknown>;
  } catch {
    throw new AcquirerError('unavailable', `${method}: not JSON`);
  }
}

/** errorCode as a string; absent means success ("0"), as register.do answers on success. */
function errorCodeOf(json: Record<string, unknown>): string {
  const code = json.errorCode;
  return code === undefined || code === null || code === '' ? '0' : String(code);
}

export interface RegisteredOrder {
  orderId: string;
  formUrl: string;
}

/** register.do: a one-stage order; the resident pays on `formUrl`. */
export async function registerOrder(order: {
  orderNumber: string;
  amount: number;
  returnUrl: string;
  failUrl: string;
  description: string;
  sessionTimeoutSecs: number;
}): Promise<RegisteredOrder> {
  const json = await call('register.do', {
    orderNumber: order.orderNumber,
    amount: String(order.amount),
    currency: '643',
    returnUrl: order.returnUrl,
    failUrl: order.failUrl,
    description: order.description,
    language: 'ru',
    sessionTimeoutSecs: String(order.sessionTimeoutSecs),
  });
  const code = errorCodeOf(json);
  if (code !== '0' || typeof json.orderId !== 'string' || typeof json.formUrl !== 'string') {
    throw new AcquirerError('refused', `register.do: errorCode ${code}`, code);
  }
  return { orderId: json.orderId, formUrl: json.formUrl };
}

const integer = (value: unknown): number | undefined => {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) ? n : undefined;
};

/** getOrderStatusExtended.do's answer as the payment model reads it. */
export function toGatewayOrder(json: Record<string, unknown>): GatewayOrder {
  const code = errorCodeOf(json);
  if (code === ERROR_ORDER_NOT_FOUND) return { found: false };
  const orderStatus = integer(json.orderStatus);
  const amount = integer(json.amount);
  if (code !== '0' || orderStatus === undefined || amount === undefined || typeof json.orderNumber !== 'string') {
    throw new AcquirerError('refused', `getOrderStatusExtended.do: errorCode ${code}`, code);
  }
  const info = (json.paymentAmountInfo ?? {}) as Record<string, unknown>;
  const deposited = integer(info.depositedAmount);
  const refunded = integer(info.refundedAmount);
  const actionCode = integer(json.actionCode);
  const authMs = integer(json.authDateTime);
  const attributes = Array.isArray(json.attributes)
    ? (json.attributes as Array<{ name?: unknown; value?: unknown }>)
    : [];
  const mdOrder = attributes.find((a) => a.name === 'mdOrder')?.value;
  return {
    found: true,
    orderNumber: json.orderNumber,
    ...(typeof mdOrder === 'string' && mdOrder !== '' ? { orderId: mdOrder } : {}),
    orderStatus,
    amount,
    // A deposited order says what it took; 0 before the deposit means "nothing yet", not "0 paid".
    ...(deposited !== undefined && (deposited > 0 || orderStatus === ORDER_STATUS.deposited)
      ? { depositedAmount: deposited }
      : {}),
    ...(refunded !== undefined && refunded > 0 ? { refundedAmount: refunded } : {}),
    ...(actionCode !== undefined ? { actionCode } : {}),
    ...(authMs !== undefined && authMs > 0 ? { paidAt: new Date(authMs).toISOString() } : {}),
  };
}

/** getOrderStatusExtended.do, by the gateway's order id or, before we learnt it, by our number. */
export async function orderStatus(ref: { orderId: string } | { orderNumber: string }): Promise<GatewayOrder> {
  return toGatewayOrder(await call('getOrderStatusExtended.do', { ...ref, language: 'ru' }));
}

/** refund.do (operators refund from the bank's console; the sandbox and tests use this). */
export async function refundOrder(orderId: string, amount: number): Promise<void> {
  const json = await call('refund.do', { orderId, amount: String(amount) });
  const code = errorCodeOf(json);
  if (code !== '0') throw new AcquirerError('refused', `refund.do: errorCode ${code}`, code);
}
