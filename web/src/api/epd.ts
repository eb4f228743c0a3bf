import { ApiError, type ApiPath, CLIENT_ERROR_CODES, parseApiError } from './client';

/*
 * The ЕПД as a PDF (GET /api/epd/{period}). Not JSON, so not apiFetch: a success is a Blob, a
 * refusal is the contract's error body (404 `no_bill` with its Russian message).
 */

const NETWORK_MESSAGE = 'Нет связи с сервером. Проверьте подключение к интернету и повторите попытку.';

export function epdPath(period: string): ApiPath {
  return `/api/epd/${encodeURIComponent(period)}`;
}

/** The file name the server gives the bill, for the download link. */
export { epdFileName } from '#shared/format';

export async function fetchEpd(period: string, signal?: AbortSignal): Promise<Blob> {
  let response: Response;
  try {
    response = await fetch(epdPath(period), {
      headers: { Accept: 'application/pdf', 'X-Requested-With': 'XMLHttpRequest' },
      credentials: 'same-origin',
      ...(signal ? { signal } : {}),
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(0, CLIENT_ERROR_CODES.network, NETWORK_MESSAGE);
  }
  if (!response.ok) {
    const body: unknown = await response.json().catch(() => undefined);
    throw parseApiError(response.status, body);
  }
  if (!(response.headers.get('content-type') ?? '').startsWith('application/pdf')) {
    throw parseApiError(response.status, undefined);
  }
  return response.blob();
}
