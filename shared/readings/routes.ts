import type { ErrorCode } from '#shared/errors';
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

const submissionErrors: ErrorCode[] = [
  'window_closed',
  'concurrent_change',
  'reading_decreased',
  'verification_expired',
  'confirmation_required',
  'meter_not_found',
  'readings_rejected',
  'too_many_changes',
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
    summary: 'Без входа: номер лицевого счёта и проверка «Я не робот» → счётчики (без персональных данных) и билет',
    tag: 'readings',
    auth: false,
    body: QuickStartRequest,
    success: { status: 200, body: QuickStartResponse },
    errors: ['invalid_captcha', 'account_not_found', 'too_many_attempts'],
    limit: 'credentials',
  },
  {
    method: 'POST',
    path: '/api/readings/quick',
    group: 'readings',
    summary: 'Без входа: передать показания по билету, полученному после проверки «Я не робот»',
    tag: 'readings',
    auth: false,
    body: QuickSubmitRequest,
    success: { status: 201, body: SubmissionResponse },
    errors: ['invalid_ticket', ...submissionErrors],
  },
] as const satisfies readonly RouteDefinition[];
