/**
 * The domain errors and their Russian messages, in one place. The HTTP error handler maps a
 * DomainError to the contract's body `{"error":{"code","message","fields"}}`; anything else
 * becomes a 500 that says nothing about its cause.
 */
export const ERROR_MESSAGES = {
  invalid_input: 'Проверьте введённые данные.',
  invalid_json: 'Запрос не удалось прочитать: ожидался JSON.',
  unsupported_media_type: 'Неподдерживаемый формат запроса: ожидался JSON.',
  csrf: 'Запрос отклонён: отсутствует заголовок X-Requested-With.',
  unauthorized: 'Войдите в личный кабинет.',
  forbidden: 'Доступ запрещён.',
  not_found: 'Страница или ресурс не найдены.',
  method_not_allowed: 'Метод не поддерживается для этого адреса.',
  too_many_requests: 'Слишком много запросов. Повторите попытку позже.',
  internal: 'Внутренняя ошибка сервиса. Повторите попытку позже.',
} as const satisfies Record<string, string>;

export type KnownErrorCode = keyof typeof ERROR_MESSAGES;

const DEFAULT_STATUS: Record<KnownErrorCode, number> = {
  invalid_input: 400,
  invalid_json: 400,
  unsupported_media_type: 415,
  csrf: 403,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  too_many_requests: 429,
  internal: 500,
};

export interface ErrorBody {
  error: { code: string; message: string; fields?: Record<string, string> };
}

/** An error a resident or a bank may see: its code, message and status are part of the contract. */
export class DomainError extends Error {
  readonly code: string;
  readonly status: number;
  readonly fields: Record<string, string> | undefined;

  constructor(code: string, status: number, message: string, fields?: Record<string, string>) {
    super(message);
    this.name = 'DomainError';
    this.code = code;
    this.status = status;
    this.fields = fields;
  }

  static of(code: KnownErrorCode, fields?: Record<string, string>): DomainError {
    return new DomainError(code, DEFAULT_STATUS[code], ERROR_MESSAGES[code], fields);
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
