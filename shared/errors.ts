/**
 * The error catalogue: every error a resident, a bank or the site may see, each with its one HTTP
 * status and its Russian message, in one place. Code throws `DomainError.of(code, …)`; routes list
 * the codes they may answer (OpenAPI takes the status from here); the HTTP error handler turns a
 * DomainError into the contract's body `{"error":{"code","message","fields"}}`, anything else into
 * a 500 that says nothing about its cause. Bank-facing errors are in Russian too: one language for
 * every error body.
 *
 * A message is a text, or a function of the facts it names (a date, a count). Readings refusals
 * take the per-meter rule's own text as `detail` when a single meter is at fault, so the page and
 * the API say the same thing.
 */

type Detail = { detail?: string | undefined };

const detailed =
  (fallback: string) =>
  (p: Detail = {}): string =>
    p.detail ?? fallback;

export const ERRORS = {
  // Transport and access.
  invalid_input: { status: 400, message: detailed('Проверьте введённые данные.') },
  invalid_json: { status: 400, message: 'Запрос не удалось прочитать: ожидался JSON.' },
  unsupported_media_type: { status: 415, message: 'Неподдерживаемый формат запроса: ожидался JSON.' },
  csrf: { status: 403, message: 'Запрос отклонён: отсутствует заголовок X-Requested-With.' },
  unauthorized: { status: 401, message: 'Войдите в личный кабинет.' },
  forbidden: { status: 403, message: 'Доступ запрещён.' },
  not_found: {
    status: 404,
    message: (p: { subject?: 'payment' } = {}) =>
      p.subject === 'payment' ? 'Платёж не найден.' : 'Страница или ресурс не найдены.',
  },
  method_not_allowed: { status: 405, message: 'Метод не поддерживается для этого адреса.' },
  internal: { status: 500, message: 'Внутренняя ошибка сервиса. Повторите попытку позже.' },

  // Accounts.
  invalid_captcha: { status: 400, message: 'Проверка «Я не робот» не пройдена или устарела. Пройдите её ещё раз.' },
  captcha_required: { status: 428, message: 'Пройдите проверку «Я не робот», чтобы продолжить.' },
  invalid_token: { status: 400, message: 'Ссылка недействительна или устарела. Запросите новую.' },
  data_mismatch: {
    status: 422,
    message: 'Данные не совпадают с данными лицевого счёта. Проверьте номер лицевого счёта и паспортные данные.',
  },
  already_registered: {
    status: 409,
    message:
      'Учётная запись с такими данными уже существует. Если вы не регистрировались, обратитесь в РАЦ с паспортом. ' +
      'Если забыли пароль — воспользуйтесь восстановлением пароля.',
  },
  invalid_credentials: { status: 401, message: detailed('Неверный номер лицевого счёта или пароль.') },
  // `retryAfter` (seconds) also becomes the response's Retry-After header.
  too_many_attempts: {
    status: 429,
    message: (p: { retryAfter: number; subject?: 'login' | 'other' }) => {
      // The API document describes the message without a wait (no `retryAfter`): «позже».
      const known = Number.isFinite(p.retryAfter);
      const when = known ? `через ${Math.max(1, Math.ceil(p.retryAfter / 60))} мин.` : 'позже';
      return p.subject === 'login'
        ? `Слишком много неудачных попыток входа. Повторите ${when} или восстановите пароль.`
        : `Слишком много попыток. Повторите ${known ? when : `${when}.`}`;
    },
  },
  wrong_password: {
    status: 403,
    message: (p: { concurrent?: boolean } = {}) =>
      p.concurrent ? 'Пароль уже был изменён. Войдите заново.' : 'Текущий пароль введён неверно.',
  },
  weak_password: {
    status: 422,
    message:
      'Этот пароль слишком простой или широко распространён. Придумайте другой: например, фразу из нескольких слов.',
  },

  // Phone and SMS codes (shared/accounts/phone.ts, loginCode.ts).
  invalid_code: {
    status: 400,
    message: (p: { left?: number; spent?: boolean } = {}) =>
      p.spent
        ? 'Код больше не действует: истёк срок или исчерпаны попытки. Запросите новый код.'
        : p.left !== undefined && p.left > 0
          ? `Неверный код. Осталось попыток: ${p.left}.`
          : 'Неверный код. Запросите новый код.',
  },
  // The password was changed or reset, or the cabinet closed or transferred, after the code was asked for.
  login_challenge_ended: {
    status: 400,
    message: 'Код больше не действует: после его запроса сменился пароль или закрыт доступ к кабинету. Войдите заново.',
  },
  phone_confirmed: {
    status: 409,
    message: 'Подтверждённый телефон меняется только с текущим паролем: в профиле, в разделе «Мобильный телефон».',
  },
  phone_not_confirmed: {
    status: 409,
    message: 'Сначала подтвердите номер мобильного телефона кодом из SMS.',
  },

  // Several accounts under one login (shared/accounts/links.ts).
  account_not_linked: {
    status: 404,
    message: 'Этот лицевой счёт не добавлен в ваш личный кабинет. Добавьте его в профиле.',
  },
  already_linked: { status: 409, message: 'Этот лицевой счёт уже есть в вашем личном кабинете.' },
  home_account: {
    status: 409,
    message:
      'Это основной лицевой счёт вашего личного кабинета: он всегда в кабинете, добавлять или удалять его не нужно.',
  },
  too_many_links: {
    status: 409,
    message: (p: { max: number }) =>
      `В личный кабинет можно добавить не больше ${p.max} лицевых счетов. Удалите ненужный, чтобы добавить новый.`,
  },

  // Readings.
  window_closed: {
    status: 409,
    message: (p: { opensAt: string; closesAt: string }) =>
      `Приём показаний закрыт. Он откроется ${p.opensAt} и продлится до ${p.closesAt}.`,
  },
  concurrent_change: {
    status: 409,
    message:
      'Показания этого лицевого счёта сейчас передаются из другого окна. Обновите страницу и проверьте значения.',
  },
  too_many_changes: {
    status: 422,
    message: (p: { max: number }) =>
      `Показания за этот месяц уже изменялись ${p.max} раз. Для исправления обратитесь в РАЦ.`,
  },
  meter_not_found: {
    status: 422,
    message: detailed('Счётчик не найден в вашем лицевом счёте. Обновите страницу и передайте показания ещё раз.'),
  },
  verification_expired: {
    status: 422,
    message: detailed(
      'Срок поверки счётчика истёк: показания по нему не принимаются. Поверьте или замените счётчик ' +
        'и обратитесь в РАЦ с документом о поверке.',
    ),
  },
  reading_decreased: { status: 422, message: detailed('Показание меньше предыдущего. Проверьте цифры.') },
  confirmation_required: {
    status: 422,
    message: detailed('Проверьте отмеченные показания и подтвердите, что они верные.'),
  },
  readings_rejected: {
    status: 422,
    message: detailed('Часть показаний не принята. Исправьте отмеченные значения.'),
  },
  invalid_ticket: {
    status: 401,
    message:
      'Показания по этой проверке уже переданы или время на передачу истекло. Чтобы передать их ещё раз, ' +
      'введите номер лицевого счёта и пройдите проверку заново.',
  },
  // A missing account is a missing resource everywhere: the no-login readings page and the banks.
  account_not_found: {
    status: 404,
    message: 'Лицевой счёт не найден. Проверьте номер по квитанции.',
  },

  // Payments (residents and banks).
  invalid_amount: { status: 422, message: 'Проверьте сумму оплаты.' },
  invalid_period: {
    status: 422,
    message: detailed('Проверьте месяц квитанции: ГГГГ-ММ, не позже текущего месяца.'),
  },
  acquirer_unavailable: {
    status: 503,
    message: 'Банк сейчас не отвечает. Попробуйте оплатить через несколько минут — деньги не списаны.',
  },
  acquirer_refused: {
    status: 502,
    message: 'Банк не принял заказ на оплату. Попробуйте ещё раз позже или обратитесь в РАЦ — деньги не списаны.',
  },
  no_receipt: { status: 409, message: 'Квитанция появится, когда банк подтвердит оплату.' },
  invalid_signature: { status: 403, message: 'Подпись запроса неверна или отсутствует.' },
  invalid_callback: {
    status: 400,
    message: 'Уведомление не разобрано: нужны mdOrder, orderNumber, operation, status.',
  },
  order_mismatch: {
    status: 409,
    message: 'Номер заказа в банке не совпадает с платежом; платёж не изменён.',
  },
  bank_unauthorized: {
    status: 401,
    message: 'Банк не опознан: проверьте идентификатор банка и подпись запроса.',
  },
  transaction_conflict: {
    status: 409,
    message: 'Операция с этим номером уже получена с другим лицевым счётом или суммой; платёж не изменён.',
  },

  // Support.
  ticket_not_found: { status: 404, message: 'Обращение не найдено. Обновите страницу.' },
  ticket_closed: {
    status: 409,
    message: 'Обращение закрыто: ответить в нём нельзя. Если вопрос остался, напишите новое обращение.',
  },
  ticket_too_long: {
    status: 422,
    message: 'В этом обращении слишком много сообщений. Напишите новое обращение и укажите номер прежнего.',
  },

  // News (the operator's `news publish`).
  invalid_news: { status: 422, message: detailed('Новость не опубликована: проверьте заголовок, текст и адреса.') },
  news_not_found: { status: 404, message: 'Новость не найдена.' },

  // ЕПД.
  no_bill: {
    status: 404,
    message:
      'За этот период квитанция не сформирована: начислений за выбранный месяц нет. ' +
      'Квитанция за прошедший месяц появляется в начале следующего месяца.',
  },
} as const satisfies Record<string, { status: number; message: string | ((p: never) => string) }>;

export type ErrorCode = keyof typeof ERRORS;

type MessageOf<C extends ErrorCode> = (typeof ERRORS)[C]['message'];
type Fields = Record<string, string>;

/** What `DomainError.of` takes after the code: the facts its message names, and field messages. */
type OptionsOf<C extends ErrorCode> = (MessageOf<C> extends (p: infer P) => string ? NonNullable<P> : unknown) & {
  fields?: Fields | undefined;
};

/** Whether the message cannot be written without its facts (a date, a count). */
type NeedsFacts<C extends ErrorCode> =
  MessageOf<C> extends (p: infer P) => string ? (undefined extends P ? false : true) : false;

export type ErrorArgs<C extends ErrorCode> =
  NeedsFacts<C> extends true ? [options: OptionsOf<C>] : [options?: OptionsOf<C>];

/** Codes whose message needs no facts: the ones a gateway or middleware can raise by name. */
export type PlainErrorCode = { [C in ErrorCode]: NeedsFacts<C> extends true ? never : C }[ErrorCode];

/** Codes whose message a caller may replace by a more precise text of the same fault. */
export type DetailedErrorCode = { [C in ErrorCode]: 'detail' extends keyof OptionsOf<C> ? C : never }[ErrorCode];

export function statusOf(code: ErrorCode): number {
  return ERRORS[code].status;
}

export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(ERRORS, code);
}

export interface ErrorBody {
  error: { code: string; message: string; fields?: Record<string, string> };
}

/** An error a resident or a bank may see: its code, message and status are part of the contract. */
export class DomainError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly fields: Record<string, string> | undefined;
  /** Seconds until a refused request may succeed (429s): the HTTP `Retry-After` header. */
  readonly retryAfter: number | undefined;

  private constructor(code: ErrorCode, message: string, fields?: Fields, retryAfter?: number) {
    super(message);
    this.name = 'DomainError';
    this.code = code;
    this.status = ERRORS[code].status;
    this.fields = fields;
    this.retryAfter = retryAfter;
  }

  static of<C extends ErrorCode>(code: C, ...args: ErrorArgs<C>): DomainError {
    const entry = ERRORS[code];
    const options = args[0] as ({ fields?: Fields | undefined } & Record<string, unknown>) | undefined;
    const message =
      typeof entry.message === 'function' ? (entry.message as (p: unknown) => string)(options) : entry.message;
    const retryAfter = typeof options?.retryAfter === 'number' ? Math.max(1, Math.ceil(options.retryAfter)) : undefined;
    return new DomainError(code, message, options?.fields, retryAfter);
  }

  toBody(): ErrorBody {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.fields && Object.keys(this.fields).length > 0 ? { fields: this.fields } : {}),
      },
    };
  }
}
