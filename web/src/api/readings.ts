import type { z } from 'zod';
import type * as Schemas from '#shared/readings/schemas';
import { apiFetch } from './client';

/*
 * Meters and readings: one function per route of shared/readings/routes.ts. Types come from the
 * schemas the handlers validate with, as types only (zod stays out of the bundle).
 */

export type MetersPage = z.infer<typeof Schemas.MetersResponse>;
export type MeterView = z.infer<typeof Schemas.Meter>;
export type ReadingWindow = z.infer<typeof Schemas.ReadingWindow>;
export type ReadingInput = z.input<typeof Schemas.ReadingInput>;
export type SubmissionResult = z.infer<typeof Schemas.SubmissionResponse>;
export type QuickStart = z.infer<typeof Schemas.QuickStartResponse>;
export type QuickStartInput = z.input<typeof Schemas.QuickStartRequest>;
export type ReadingHistory = z.infer<typeof Schemas.HistoryResponse>;
export type HistoryItem = ReadingHistory['items'][number];

export const getMeters = () => apiFetch<MetersPage>('/api/meters');

export const submitReadings = (readings: ReadingInput[]) =>
  apiFetch<SubmissionResult>('/api/readings', { method: 'POST', body: { readings } });

/** Without a range: the last 12 months, as the server answers (`from`/`to` say which). */
export const getReadingHistory = (range?: { from: string; to: string }) =>
  apiFetch<ReadingHistory>('/api/readings', range ? { query: range } : {});

export const startQuickReadings = (body: QuickStartInput) =>
  apiFetch<QuickStart>('/api/readings/quick/start', { method: 'POST', body });

export const submitQuickReadings = (ticket: string, readings: ReadingInput[]) =>
  apiFetch<SubmissionResult>('/api/readings/quick', { method: 'POST', body: { ticket, readings } });
