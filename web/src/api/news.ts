import type { z } from 'zod';
import type * as Schemas from '#shared/news/schemas';
import { apiFetch } from './client';

/* The news list (shared/news/routes.ts); types only from the schemas, zod stays out of the bundle. */

export type NewsList = z.infer<typeof Schemas.NewsList>;
export type NewsItem = NewsList['items'][number];

/** Newest first; with a session the server adds the news for the resident's address. */
export const getNews = (limit?: number, signal?: AbortSignal) =>
  apiFetch<NewsList>('/api/news', { query: { limit }, ...(signal ? { signal } : {}) });
