import type { z } from 'zod';
import type * as Schemas from '#shared/accounts/linksSchemas';
import { apiFetch } from './client';

/*
 * Several accounts under one login: one function per route of shared/accounts/routes.ts
 * (`/api/accounts…`). Types only from the schemas, so zod stays out of the bundle.
 */

export type Accounts = z.infer<typeof Schemas.AccountsResponse>;
export type LinkedAccount = z.infer<typeof Schemas.LinkedAccount>;
export type LinkAccountInput = z.input<typeof Schemas.LinkAccountRequest>;

export const getAccounts = (signal?: AbortSignal) => apiFetch<Accounts>('/api/accounts', signal ? { signal } : {});

export const linkAccount = (body: LinkAccountInput) =>
  apiFetch<LinkedAccount>('/api/accounts', { method: 'POST', body });

export const switchAccount = (account: string) =>
  apiFetch<Accounts>('/api/accounts/current', { method: 'POST', body: { account } });

export const unlinkAccount = (account: string) => apiFetch<void>(`/api/accounts/${account}`, { method: 'DELETE' });
