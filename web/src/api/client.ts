import type { z } from 'zod';
import type { ErrorResponse, HealthResponse as HealthSchema } from '#shared/api/schemas';
import type { ROUTES } from '#shared/routes';

/*
 * The browser's client of the HTTP API. Types come from the zod schemas the handlers validate with,
 * imported as types only: zod's runtime stays out of the bundle (the server already validates; the
 * page trusts its own origin's answers).
 */

export type HealthResponse = z.infer<typeof HealthSchema>;
export type ApiErrorBody = z.infer<typeof ErrorResponse>;

/** `/api/payments/{id}` → `/api/payments/${string}`: a path parameter may be any segment. */
type ConcretePath<P extends string> = P extends `${infer Head}{${string}}${infer Tail}`
  ? `${Head}${string}${ConcretePath<Tail>}`
  : P;

/** A path of the shared route table: a typo or a route that does not exist fails to compile. */
export type ApiPath = ConcretePath<(typeof ROUTES)[number]['path']>;

export type ApiMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface ApiRequestOptions {
  method?: ApiMethod;
  /** Sent as JSON. */
  body?: unknown;
  /** Added to the URL; `undefined` values are left out. */
  query?: Record<string, string | number | undefined>;
  signal?: AbortSignal;
}

/** Codes the client itself gives when the server's answer carries no contract error body. */
export const CLIENT_ERROR_CODES = {
  network: 'network_error',
  unexpectedResponse: 'unexpected_response',
} as const;

const MESSAGES = {
  network: 'Нет связи с сервером. Проверьте подключение к интернету и повторите попытку.',
  unavailable: 'Сервис временно недоступен. Повторите попытку позже.',
  unexpected: 'Не удалось выполнить запрос. Повторите попытку позже.',
} as const;

/** An answer the resident should see: `message` is Russian, `fields` name the form inputs at fault. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly fields: Readonly<Record<string, string>>;

  constructor(status: number, code: string, message: string, fields: Record<string, string> = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.fields = fields;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads the contract's error body `{"error":{"code","message","fields"}}`. Anything else (a proxy's
 * HTML page, a truncated answer) gives a generic Russian message, never the raw text.
 */
export function parseApiError(status: number, body: unknown): ApiError {
  const error = isRecord(body) ? body.error : undefined;
  if (isRecord(error) && typeof error.code === 'string' && typeof error.message === 'string') {
    const fields: Record<string, string> = {};
    if (isRecord(error.fields)) {
      for (const [name, message] of Object.entries(error.fields)) {
        if (typeof message === 'string') fields[name] = message;
      }
    }
    return new ApiError(status, error.code, error.message, fields);
  }
  const message = status >= 500 ? MESSAGES.unavailable : MESSAGES.unexpected;
  return new ApiError(status, CLIENT_ERROR_CODES.unexpectedResponse, message);
}

function isAbort(error: unknown): boolean {
  return error instanceof DOMException && (error.name === 'AbortError' || error.name === 'TimeoutError');
}

function withQuery(path: string, query: ApiRequestOptions['query']): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined) params.set(name, String(value));
  }
  const search = params.toString();
  return search ? `${path}?${search}` : path;
}

const NOT_JSON = Symbol('not JSON');

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return NOT_JSON;
  }
}

/**
 * One request to the API. Every request carries `X-Requested-With: XMLHttpRequest`: the API refuses
 * a state-changing request without it (403 `csrf`), and sending it always keeps callers from
 * forgetting. Resolves with the parsed JSON (`undefined` for an empty body, e.g. 202/204); rejects
 * with an ApiError, or rethrows the AbortError when the caller aborted.
 */
export async function apiFetch<T>(path: ApiPath, options: ApiRequestOptions = {}): Promise<T> {
  const { method = 'GET', body, query, signal } = options;
  const headers: Record<string, string> = {
    Accept: 'application/json',
    'X-Requested-With': 'XMLHttpRequest',
  };
  const init: RequestInit = { method, headers, credentials: 'same-origin' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  if (signal) init.signal = signal;

  let response: Response;
  try {
    response = await fetch(withQuery(path, query), init);
  } catch (error) {
    if (isAbort(error)) throw error;
    throw new ApiError(0, CLIENT_ERROR_CODES.network, MESSAGES.network);
  }

  let parsed: unknown;
  try {
    parsed = await readJson(response);
  } catch (error) {
    if (isAbort(error)) throw error;
    throw new ApiError(response.status, CLIENT_ERROR_CODES.network, MESSAGES.network);
  }
  if (!response.ok) throw parseApiError(response.status, parsed);
  // A 200 that is not JSON is not the API: e.g. a static host answering every path with index.html.
  if (parsed === NOT_JSON) {
    throw new ApiError(response.status, CLIENT_ERROR_CODES.unexpectedResponse, MESSAGES.unavailable);
  }
  return parsed as T;
}

/** GET /api/health: `{"status":"ok"}` while the service answers. */
export function getHealth(signal?: AbortSignal): Promise<HealthResponse> {
  return apiFetch<HealthResponse>('/api/health', signal ? { signal } : {});
}
