import { type KeyObject, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { CENTRE } from '#shared/centre';
import { LOCAL_SECRET_DEFAULTS } from '#shared/config';
import { ENV } from '#shared/env';
import { escapeHtml, typesetRoubles } from '#shared/format';
import { ACTION_SESSION_EXPIRED } from '#shared/payments/model';
import { callbackChecksum, callbackRsaChecksum, ERROR_ORDER_NOT_FOUND, ORDER_STATUS } from '#shared/payments/sber';

/**
 * The sandbox acquiring bank of the local runtime. It speaks the Sberbank payment gateway's
 * protocol, so the portal runs against it exactly as against the real gateway:
 * - REST (form-encoded POST, JSON answers): register.do, getOrderStatusExtended.do, refund.do,
 *   checking userName/password (or token);
 * - the payment page (formUrl, carrying `mdOrder`): Russian, a plain HTML form, no scripts; a POST
 *   of `action=pay` or `action=decline` to the same URL completes the order and redirects to the
 *   merchant's returnUrl (failUrl);
 * - callbacks to the merchant, signed with the HMAC-SHA256 checksum (or, given a private key, the
 *   gateway's asymmetric RSA SHA-512 checksum), retried when not answered 200: every
 *   RAC_SANDBOX_CALLBACK_RETRY_MS (30 s, as the real gateway), up to 3 times.
 * Orders live in memory: a restart forgets them (the reconciliation job then closes the payments).
 */

export const SANDBOX_PREFIX = '/sandbox-bank';
export const SANDBOX_REST = `${SANDBOX_PREFIX}/payment/rest`;
export const SANDBOX_PAGE = `${SANDBOX_PREFIX}/payment/merchants/rac/payment_ru.html`;
const SANDBOX_CSS = `${SANDBOX_PREFIX}/sandbox.css`;

export interface SandboxOrder {
  orderId: string;
  orderNumber: string;
  amount: number;
  description: string;
  returnUrl: string;
  failUrl: string;
  createdAt: number;
  expiresAt: number;
  orderStatus: number;
  actionCode: number;
  depositedAmount: number;
  refundedAmount: number;
  authDateTime?: number;
  callbackUrl: string;
}

export interface CallbackAttempt {
  orderId: string;
  operation: string;
  attempt: number;
  /** The merchant's HTTP status, or 0 when it could not be reached. */
  status: number;
}

export interface SandboxOptions {
  /** The origin residents' browsers reach the sandbox on (formUrl). */
  publicBase: string;
  /** Where callbacks go (the merchant's /api/webhooks/sber). */
  callbackUrl: string;
  callbackKey?: string;
  /** Sign callbacks asymmetrically (RSA, SHA-512) with this key instead of the HMAC key. */
  callbackPrivateKey?: KeyObject | string;
  userName?: string;
  password?: string;
  token?: string;
  retryIntervalMs?: number;
  retries?: number;
  /** The real gateway sends GET unless the merchant asks for POST. */
  callbackMethod?: 'GET' | 'POST';
  /** false: complete orders without telling the merchant (a lost callback, for tests and benches). */
  sendCallbacks?: boolean;
  log?: (message: string) => void;
}

export interface CompleteOptions {
  /** Deposit another amount than the order's (an acquirer error, for tests). */
  depositedAmount?: number;
  sendCallback?: boolean;
}

export interface SandboxAcquirer {
  prefix: string;
  orders: Map<string, SandboxOrder>;
  callbacks: CallbackAttempt[];
  handle: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>;
  /** What the payment page's buttons do. */
  complete: (orderId: string, action: 'pay' | 'decline', options?: CompleteOptions) => SandboxOrder;
  orderByNumber: (orderNumber: string) => SandboxOrder | undefined;
  /** Resolves when every callback in flight (with its retries) is done. */
  idle: () => Promise<void>;
  stop: () => void;
}

const envNumber = (name: string): number | undefined => {
  const raw = process.env[name];
  const n = raw ? Number(raw) : Number.NaN;
  return Number.isFinite(n) && n >= 0 ? n : undefined;
};

const sameText = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 64 * 1024) break;
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function json(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

const CSS = `*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#eef3f0;color:#1b1f1d}
main{max-width:28rem;margin:0 auto;padding:1.5rem 1rem}h1{font-size:1.4rem;margin:0 0 1rem}
.card{background:#fff;border-radius:12px;padding:1.25rem;box-shadow:0 1px 3px rgba(0,0,0,.12)}
.note{background:#fff6d6;border-left:4px solid #c79a00;padding:.5rem .75rem;margin:0 0 1rem;font-size:.9rem}
dl{margin:0 0 1.25rem}dt{color:#52605a;font-size:.85rem}dd{margin:0 0 .5rem;font-weight:600}
.sum{font-size:1.6rem}.buttons{display:grid;gap:.75rem}
button,a.button{display:block;width:100%;min-height:48px;font:inherit;font-weight:600;border-radius:8px;border:2px solid #1a7f37;cursor:pointer;text-align:center;text-decoration:none;padding:.6rem}
.pay{background:#1a7f37;color:#fff}.decline{background:#fff;color:#a40e26;border-color:#a40e26}
a.button{color:#1a7f37;background:#fff}button:focus-visible,a:focus-visible{outline:3px solid #0b5cad;outline-offset:2px}`;

export function createSandboxAcquirer(options: SandboxOptions): SandboxAcquirer {
  const key =
    options.callbackKey ?? process.env[ENV.sberCallbackSecret] ?? LOCAL_SECRET_DEFAULTS[ENV.sberCallbackSecret];
  const userName = options.userName ?? process.env[ENV.sberUserName] ?? LOCAL_SECRET_DEFAULTS[ENV.sberUserName];
  const password = options.password ?? process.env[ENV.sberPassword] ?? LOCAL_SECRET_DEFAULTS[ENV.sberPassword];
  const token = options.token ?? process.env[ENV.sberToken];
  const retryIntervalMs = options.retryIntervalMs ?? envNumber(ENV.sandboxRetryMs) ?? 30_000;
  const retries = options.retries ?? 3;
  const log = options.log ?? (() => undefined);
  const orders = new Map<string, SandboxOrder>();
  const byNumber = new Map<string, string>();
  const callbacks: CallbackAttempt[] = [];
  const inFlight = new Set<Promise<void>>();
  const abort = new AbortController();

  const authorised = (form: URLSearchParams) => {
    const given = form.get('token');
    if (token && given) return sameText(given, token);
    return sameText(form.get('userName') ?? '', userName) && sameText(form.get('password') ?? '', password);
  };

  /** The gateway closes an order nobody paid in its session time, as declined by timeout. */
  const expireIfDue = (order: SandboxOrder) => {
    if (order.orderStatus === ORDER_STATUS.registered && Date.now() > order.expiresAt) {
      order.orderStatus = ORDER_STATUS.declined;
      order.actionCode = ACTION_SESSION_EXPIRED;
    }
  };

  async function deliver(order: SandboxOrder, operation: string, status: 0 | 1): Promise<void> {
    const params: Record<string, string> = {
      amount: String(order.amount),
      mdOrder: order.orderId,
      operation,
      orderNumber: order.orderNumber,
      status: String(status),
    };
    const checksum = options.callbackPrivateKey
      ? callbackRsaChecksum(params, options.callbackPrivateKey)
      : callbackChecksum(params, key);
    const signed = new URLSearchParams({
      ...params,
      checksum,
      ...(options.callbackPrivateKey ? { sign_alias: 'SHA-512 with RSA' } : {}),
    });
    const method = options.callbackMethod ?? 'GET';
    for (let attempt = 1; attempt <= retries + 1; attempt++) {
      let code = 0;
      try {
        const response = await fetch(method === 'GET' ? `${order.callbackUrl}?${signed}` : order.callbackUrl, {
          method,
          ...(method === 'POST'
            ? { body: signed.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } }
            : {}),
          signal: AbortSignal.any([abort.signal, AbortSignal.timeout(30_000)]),
        });
        code = response.status;
        await response.arrayBuffer();
      } catch {
        if (abort.signal.aborted) return;
      }
      callbacks.push({ orderId: order.orderId, operation, attempt, status: code });
      if (code === 200) return;
      log(
        `Песочница банка: уведомление ${operation} по заказу ${order.orderNumber} не принято (${code || 'нет ответа'})`,
      );
      if (attempt <= retries) {
        try {
          await sleep(retryIntervalMs, undefined, { signal: abort.signal });
        } catch {
          return;
        }
      }
    }
  }

  function notify(order: SandboxOrder, operation: string, status: 0 | 1) {
    const sending = deliver(order, operation, status).finally(() => inFlight.delete(sending));
    inFlight.add(sending);
  }

  function complete(orderId: string, action: 'pay' | 'decline', opts: CompleteOptions = {}): SandboxOrder {
    const order = orders.get(orderId);
    if (!order) throw new Error(`Sandbox: no order ${orderId}`);
    expireIfDue(order);
    if (order.orderStatus !== ORDER_STATUS.registered) return order;
    if (action === 'pay') {
      order.orderStatus = ORDER_STATUS.deposited;
      order.actionCode = 0;
      order.depositedAmount = opts.depositedAmount ?? order.amount;
      order.authDateTime = Date.now();
    } else {
      order.orderStatus = ORDER_STATUS.declined;
      // 2001: "Операция отклонена банком-эмитентом" (the payer's bank said no).
      order.actionCode = 2001;
    }
    if (opts.sendCallback ?? options.sendCallbacks ?? true) {
      // A declined card is a failed deposit: operation "deposited" with status 0.
      notify(order, 'deposited', action === 'pay' ? 1 : 0);
    }
    return order;
  }

  function register(form: URLSearchParams) {
    const amount = Number(form.get('amount'));
    const orderNumber = form.get('orderNumber') ?? '';
    const returnUrl = form.get('returnUrl') ?? '';
    if (!orderNumber || orderNumber.length > 32) return { errorCode: '4', errorMessage: 'Номер заказа не указан' };
    if (!Number.isSafeInteger(amount) || amount <= 0) return { errorCode: '4', errorMessage: 'Неверная сумма' };
    if (!/^https?:\/\//.test(returnUrl)) return { errorCode: '4', errorMessage: 'Не указан URL возврата' };
    if (byNumber.has(orderNumber)) return { errorCode: '1', errorMessage: 'Заказ с таким номером уже обработан' };
    const orderId = randomUUID();
    const session = Number(form.get('sessionTimeoutSecs') ?? 1200);
    const now = Date.now();
    orders.set(orderId, {
      orderId,
      orderNumber,
      amount,
      description: form.get('description') ?? '',
      returnUrl,
      failUrl: form.get('failUrl') || returnUrl,
      createdAt: now,
      expiresAt: now + (Number.isFinite(session) && session > 0 ? session : 1200) * 1000,
      orderStatus: ORDER_STATUS.registered,
      actionCode: 0,
      depositedAmount: 0,
      refundedAmount: 0,
      callbackUrl: form.get('dynamicCallbackUrl') || options.callbackUrl,
    });
    byNumber.set(orderNumber, orderId);
    return { orderId, formUrl: `${options.publicBase}${SANDBOX_PAGE}?mdOrder=${orderId}` };
  }

  function status(form: URLSearchParams) {
    const orderId = form.get('orderId') ?? byNumber.get(form.get('orderNumber') ?? '') ?? '';
    const order = orders.get(orderId);
    if (!order) return { errorCode: ERROR_ORDER_NOT_FOUND, errorMessage: 'Заказ не найден' };
    expireIfDue(order);
    const state =
      order.orderStatus === ORDER_STATUS.deposited
        ? 'DEPOSITED'
        : order.orderStatus === ORDER_STATUS.refunded
          ? 'REFUNDED'
          : order.orderStatus === ORDER_STATUS.declined
            ? 'DECLINED'
            : 'CREATED';
    return {
      errorCode: '0',
      errorMessage: 'Успешно',
      orderNumber: order.orderNumber,
      orderStatus: order.orderStatus,
      actionCode: order.actionCode,
      actionCodeDescription: order.actionCode === 0 ? '' : 'Операция отклонена',
      amount: order.amount,
      currency: '643',
      date: order.createdAt,
      orderDescription: order.description,
      ip: '127.0.0.1',
      merchantOrderParams: [],
      attributes: [{ name: 'mdOrder', value: order.orderId }],
      ...(order.authDateTime
        ? {
            authDateTime: order.authDateTime,
            terminalId: '12345678',
            authRefNum: String(order.authDateTime).slice(-12),
            cardAuthInfo: {
              maskedPan: '427600**0000',
              expiration: '203012',
              cardholderName: 'TEST CARDHOLDER',
              approvalCode: '123456',
              paymentSystem: 'VISA',
            },
          }
        : {}),
      paymentAmountInfo: {
        paymentState: state,
        approvedAmount: order.depositedAmount,
        depositedAmount: order.depositedAmount,
        refundedAmount: order.refundedAmount,
        feeAmount: 0,
      },
      bankInfo: { bankName: 'ТЕСТОВЫЙ БАНК', bankCountryCode: 'RU', bankCountryName: 'Россия' },
    };
  }

  function refund(form: URLSearchParams) {
    const order = orders.get(form.get('orderId') ?? '');
    const amount = Number(form.get('amount'));
    if (!order) return { errorCode: ERROR_ORDER_NOT_FOUND, errorMessage: 'Заказ не найден' };
    if (order.orderStatus !== ORDER_STATUS.deposited) return { errorCode: '7', errorMessage: 'Заказ не оплачен' };
    if (!Number.isSafeInteger(amount) || amount <= 0 || order.refundedAmount + amount > order.depositedAmount) {
      return { errorCode: '7', errorMessage: 'Неверная сумма возврата' };
    }
    order.refundedAmount += amount;
    if (order.refundedAmount === order.depositedAmount) order.orderStatus = ORDER_STATUS.refunded;
    notify(order, 'refunded', 1);
    return { errorCode: '0', errorMessage: 'Успешно' };
  }

  function page(res: ServerResponse, order: SandboxOrder | undefined, status = 200): void {
    let body: string;
    const sum = order ? escapeHtml(typesetRoubles(order.amount)) : '';
    if (!order) {
      body = '<h1>Заказ не найден</h1><p>Ссылка на оплату устарела или набрана с ошибкой.</p>';
    } else if (order.orderStatus === ORDER_STATUS.registered) {
      body = `<h1>Оплата заказа</h1>
<p class="note">Тестовый банк (песочница): карта не нужна, деньги не списываются.</p>
<dl>
<dt>Получатель</dt><dd>${escapeHtml(CENTRE.fullName)}</dd>
<dt>Назначение</dt><dd>${escapeHtml(order.description || `Заказ ${order.orderNumber}`)}</dd>
<dt>Номер заказа</dt><dd>${escapeHtml(order.orderNumber)}</dd>
<dt>Сумма</dt><dd class="sum">${sum}</dd>
</dl>
<form method="post" class="buttons">
<button type="submit" name="action" value="pay" class="pay">Оплатить ${sum}</button>
<button type="submit" name="action" value="decline" class="decline">Отклонить платёж</button>
</form>`;
    } else {
      const paid = order.orderStatus === ORDER_STATUS.deposited || order.orderStatus === ORDER_STATUS.refunded;
      const back = paid ? order.returnUrl : order.failUrl;
      body = `<h1>${paid ? 'Заказ оплачен' : 'Оплата не состоялась'}</h1>
<p>Заказ ${escapeHtml(order.orderNumber)} на ${sum} ${paid ? 'уже оплачен' : 'закрыт без оплаты'}.</p>
<p><a class="button" href="${escapeHtml(back)}">Вернуться на сайт</a></p>`;
    }
    const returnOrigin = order ? new URL(order.returnUrl).origin : '';
    res.writeHead(status, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy': `default-src 'none'; style-src 'self'; form-action 'self' ${returnOrigin}; base-uri 'none'; frame-ancestors 'none'`,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    });
    res.end(`<!doctype html>
<html lang="ru"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Тестовый банк — оплата</title><link rel="stylesheet" href="${SANDBOX_CSS}"></head>
<body><main><div class="card">${body}</div></main></body></html>`);
  }

  async function handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const method = req.method ?? 'GET';
    if (url.pathname === SANDBOX_CSS) {
      res.writeHead(200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'no-cache' });
      res.end(CSS);
      return;
    }
    if (url.pathname === SANDBOX_PAGE) {
      const orderId = url.searchParams.get('mdOrder') ?? '';
      const order = orders.get(orderId);
      if (method === 'POST' && order) {
        const action = (await readForm(req)).get('action');
        if (action === 'pay' || action === 'decline') {
          const done = complete(orderId, action);
          const paid = done.orderStatus === ORDER_STATUS.deposited;
          const target = new URL(paid ? done.returnUrl : done.failUrl);
          target.searchParams.set('orderId', done.orderId);
          res.writeHead(303, { location: target.toString(), 'cache-control': 'no-store' });
          res.end();
          return;
        }
      }
      if (order) expireIfDue(order);
      page(res, order, order ? 200 : 404);
      return;
    }
    if (url.pathname.startsWith(`${SANDBOX_REST}/`) && method === 'POST') {
      const form = await readForm(req);
      if (!authorised(form)) {
        json(res, { errorCode: '5', errorMessage: 'Доступ запрещён' });
        return;
      }
      const operation = url.pathname.slice(SANDBOX_REST.length + 1);
      if (operation === 'register.do') json(res, register(form));
      else if (operation === 'getOrderStatusExtended.do') json(res, status(form));
      else if (operation === 'refund.do') json(res, refund(form));
      else {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('Not found');
      }
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('Не найдено');
  }

  return {
    prefix: SANDBOX_PREFIX,
    orders,
    callbacks,
    handle,
    complete,
    orderByNumber: (orderNumber) => {
      const id = byNumber.get(orderNumber);
      return id ? orders.get(id) : undefined;
    },
    idle: async () => {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
    stop: () => abort.abort(),
  };
}
