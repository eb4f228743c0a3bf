import type { z } from 'zod';
import type * as GuestSchemas from '#shared/payments/guestSchemas';
import type * as Schemas from '#shared/payments/schemas';
import { apiFetch } from './client';

/* Card payments, their history and receipts: one function per route of shared/payments/routes.ts. */

export type Payment = z.infer<typeof Schemas.Payment>;
export type PaymentCreated = z.infer<typeof Schemas.PaymentCreated>;
export type PaymentList = z.infer<typeof Schemas.PaymentList>;
export type Receipt = z.infer<typeof Schemas.Receipt>;

export interface PaymentInput {
  /** Kopecks. */
  amount: number;
  services?: Array<{ service: string; amount: number }>;
}

const withSignal = (signal?: AbortSignal) => (signal ? { signal } : {});

export const createPayment = (body: PaymentInput) =>
  apiFetch<PaymentCreated>('/api/payments', { method: 'POST', body });

export const listPayments = (signal?: AbortSignal) => apiFetch<PaymentList>('/api/payments', withSignal(signal));

export const getPayment = (id: string, signal?: AbortSignal) =>
  apiFetch<Payment>(`/api/payments/${encodeURIComponent(id)}`, withSignal(signal));

export const getReceipt = (id: string, signal?: AbortSignal) =>
  apiFetch<Receipt>(`/api/payments/${encodeURIComponent(id)}/receipt`, withSignal(signal));

/* Paying for any account without login (shared/payments/guestSchemas.ts). */

export type GuestPaymentCreated = z.infer<typeof GuestSchemas.GuestPaymentCreated>;
export type GuestPaymentStatus = z.infer<typeof GuestSchemas.GuestPaymentStatus>;

export interface GuestPaymentInput {
  account: string;
  /** Kopecks. */
  amount: number;
  captchaId: string;
  captchaAnswer: string;
  email?: string;
}

export const startGuestPayment = (body: GuestPaymentInput) =>
  apiFetch<GuestPaymentCreated>('/api/pay', { method: 'POST', body });

export const getGuestPayment = (id: string, signal?: AbortSignal) =>
  apiFetch<GuestPaymentStatus>(`/api/pay/${encodeURIComponent(id)}`, withSignal(signal));
