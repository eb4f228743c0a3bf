import {
  HistoryQuery,
  HistoryResponse,
  MetersResponse,
  QuickStartRequest,
  QuickStartResponse,
  QuickSubmitRequest,
  SubmissionResponse,
  SubmitReadingsRequest,
} from '#shared/readings/schemas';
import type { RouteDefinition } from '#shared/routes';

const submissionErrors = [
  { status: 409, code: 'window_closed' },
  { status: 409, code: 'concurrent_change' },
  { status: 422, code: 'reading_decreased' },
  { status: 422, code: 'verification_expired' },
  { status: 422, code: 'confirmation_required' },
  { status: 422, code: 'meter_not_found' },
  { status: 422, code: 'readings_rejected' },
  { status: 422, code: 'too_many_changes' },
];

/** Meters, submission (with and without login) and history: group `readings`. */
export const READING_ROUTES = [
  {
    method: 'GET',
    path: '/api/meters',
    group: 'readings',
    summary: 'Счётчики лицевого счёта и состояние приёма показаний',
    tag: 'readings',
    auth: true,
    success: { status: 200, body: MetersResponse },
  },
  {
    method: 'POST',
    path: '/api/readings',
    group: 'readings',
    summary: 'Передать показания (все вместе или ни одного; повторная передача в этом приёме заменяет значение)',
    tag: 'readings',
    auth: true,
    body: SubmitReadingsRequest,
    success: { status: 201, body: SubmissionResponse },
    errors: submissionErrors,
  },
  {
    method: 'GET',
    path: '/api/readings',
    group: 'readings',
    summary: 'История показаний и расхода по счётчикам за периоды',
    tag: 'readings',
    auth: true,
    query: HistoryQuery,
    success: { status: 200, body: HistoryResponse },
  },
  {
    method: 'POST',
    path: '/api/readings/quick/start',
    group: 'readings',
    summary: 'Без входа: номер лицевого счёта и код с картинки → счётчики (без персональных данных) и билет',
    tag: 'readings',
    auth: false,
    body: QuickStartRequest,
    success: { status: 200, body: QuickStartResponse },
    errors: [
      { status: 400, code: 'invalid_captcha' },
      { status: 422, code: 'account_not_found' },
    ],
  },
  {
    method: 'POST',
    path: '/api/readings/quick',
    group: 'readings',
    summary: 'Без входа: передать показания по билету, полученному после кода с картинки',
    tag: 'readings',
    auth: false,
    body: QuickSubmitRequest,
    success: { status: 201, body: SubmissionResponse },
    errors: [{ status: 401, code: 'invalid_ticket' }, ...submissionErrors],
  },
] as const satisfies readonly RouteDefinition[];
