import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError, apiFetch, CLIENT_ERROR_CODES, getHealth, parseApiError } from '../../web/src/api/client';

const fetchMock = vi.fn<typeof fetch>();

function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

function lastRequest(): { url: string; init: RequestInit; headers: Record<string, string> } {
  const call = fetchMock.mock.lastCall;
  if (!call) throw new Error('fetch was not called');
  const [url, init = {}] = call;
  return { url: String(url), init, headers: init.headers as Record<string, string> };
}

async function rejection(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

beforeEach(() => {
  fetchMock.mockReset();
  vi.stubGlobal('fetch', fetchMock);
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('web API client: requests', () => {
  it('asks GET /api/health with the session cookie and the X-Requested-With header, and returns its body', async () => {
    fetchMock.mockResolvedValue(jsonResponse(200, { status: 'ok' }));

    await expect(getHealth()).resolves.toEqual({ status: 'ok' });

    const { url, init, headers } = lastRequest();
    expect(url).toBe('/api/health');
    expect(init.method).toBe('GET');
    expect(init.credentials).toBe('same-origin');
    expect(init.body).toBeUndefined();
    expect(headers['X-Requested-With']).toBe('XMLHttpRequest');
    expect(headers.Accept).toBe('application/json');
    expect(headers['Content-Type']).toBeUndefined();
  });

  it('sends a body as JSON with its content type and the X-Requested-With header the API demands of a POST', async () => {
    fetchMock.mockResolvedValue(new Response(null, { status: 202 }));

    await expect(apiFetch('/api/health', { method: 'POST', body: { account: '100001' } })).resolves.toBeUndefined();

    const { init, headers } = lastRequest();
    expect(init.method).toBe('POST');
    expect(init.body).toBe('{"account":"100001"}');
    expect(headers['Content-Type']).toBe('application/json');
    expect(headers['X-Requested-With']).toBe('XMLHttpRequest');
  });

  it('adds query parameters and leaves out the undefined ones', async () => {
    fetchMock.mockResolvedValue(jsonResponse(200, { status: 'ok' }));

    await apiFetch('/api/health', { query: { from: '2026-01', to: undefined, page: 2 } });

    expect(lastRequest().url).toBe('/api/health?from=2026-01&page=2');
  });

  it('passes the caller’s abort signal on and rethrows the abort untouched', async () => {
    const controller = new AbortController();
    fetchMock.mockImplementation(async (_url, init) => {
      init?.signal?.throwIfAborted();
      return jsonResponse(200, { status: 'ok' });
    });
    controller.abort();

    const error = await getHealth(controller.signal).catch((reason: unknown) => reason);

    expect(lastRequest().init.signal).toBe(controller.signal);
    expect(error).toBeInstanceOf(DOMException);
    expect((error as DOMException).name).toBe('AbortError');
  });
});

describe('web API client: errors', () => {
  it('turns the contract error body into an ApiError with status, code, message and fields', async () => {
    fetchMock.mockResolvedValue(
      jsonResponse(422, {
        error: {
          code: 'data_mismatch',
          message: 'Данные не совпадают с данными лицевого счёта.',
          fields: { passport: 'Проверьте серию и номер паспорта' },
        },
      }),
    );

    const error = await rejection(apiFetch('/api/health', { method: 'POST', body: {} }));

    expect(error.status).toBe(422);
    expect(error.code).toBe('data_mismatch');
    expect(error.message).toBe('Данные не совпадают с данными лицевого счёта.');
    expect(error.fields).toEqual({ passport: 'Проверьте серию и номер паспорта' });
    expect(error.name).toBe('ApiError');
  });

  it('gives empty fields when the error names none', async () => {
    fetchMock.mockResolvedValue(jsonResponse(403, { error: { code: 'csrf', message: 'Запрос отклонён.' } }));

    const error = await rejection(getHealth());

    expect(error.code).toBe('csrf');
    expect(error.fields).toEqual({});
  });

  it('never shows a body that is not the contract’s: a 5xx page says the service is unavailable', async () => {
    fetchMock.mockResolvedValue(new Response('<html>502 Bad Gateway</html>', { status: 502 }));

    const error = await rejection(getHealth());

    expect(error.status).toBe(502);
    expect(error.code).toBe(CLIENT_ERROR_CODES.unexpectedResponse);
    expect(error.message).toBe('Сервис временно недоступен. Повторите попытку позже.');
  });

  it('refuses a 200 that is not JSON (a static host answering /api with its index page)', async () => {
    fetchMock.mockResolvedValue(new Response('<!doctype html><html lang="ru"></html>', { status: 200 }));

    const error = await rejection(getHealth());

    expect(error.code).toBe(CLIENT_ERROR_CODES.unexpectedResponse);
  });

  it('reports a failed connection as a network error with status 0', async () => {
    fetchMock.mockRejectedValue(new TypeError('Failed to fetch'));

    const error = await rejection(getHealth());

    expect(error.status).toBe(0);
    expect(error.code).toBe(CLIENT_ERROR_CODES.network);
    expect(error.message).toMatch(/Нет связи с сервером/);
  });

  it('parses malformed error bodies into a generic error and drops fields that are not strings', () => {
    expect(parseApiError(400, { error: 'bad' }).code).toBe(CLIENT_ERROR_CODES.unexpectedResponse);
    expect(parseApiError(400, { error: { code: 7, message: 'x' } }).code).toBe(CLIENT_ERROR_CODES.unexpectedResponse);
    expect(parseApiError(400, undefined).message).toBe('Не удалось выполнить запрос. Повторите попытку позже.');

    const error = parseApiError(400, {
      error: {
        code: 'invalid_input',
        message: 'Проверьте введённые данные.',
        fields: { email: 'Неверный адрес', n: 1 },
      },
    });
    expect(error.fields).toEqual({ email: 'Неверный адрес' });
  });
});
