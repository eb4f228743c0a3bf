import type { z } from 'zod';
import type * as Schemas from '#shared/accounts/schemas';
import type * as SupportSchemas from '#shared/support/schemas';
import { apiFetch } from './client';

/*
 * Registration, sessions, recovery, profile and support: one function per route of
 * shared/accounts/routes.ts and shared/support/routes.ts. Request types are the schemas' inputs
 * (what may be sent), response types their outputs; both are types only, so zod stays out of the
 * bundle.
 */

export type Captcha = z.infer<typeof Schemas.CaptchaResponse>;
export type Session = z.infer<typeof Schemas.SessionResponse>;
export type Accepted = z.infer<typeof Schemas.Accepted>;
export type Me = z.infer<typeof Schemas.MeResponse>;
export type Home = z.infer<typeof Schemas.HomeResponse>;
export type Profile = z.infer<typeof Schemas.ProfileResponse>;
export type SupportTopic = z.infer<typeof SupportSchemas.SupportTopic>;
export type SupportTicket = z.infer<typeof SupportSchemas.SupportTicket>;
export type SupportStatus = SupportTicket['status'];
export type SupportCreated = z.infer<typeof SupportSchemas.SupportCreated>;
export type SupportList = z.infer<typeof SupportSchemas.SupportList>;

export type RegisterInput = z.input<typeof Schemas.RegisterRequest>;
export type ConfirmInput = z.input<typeof Schemas.ConfirmRequest>;
export type LoginInput = z.input<typeof Schemas.LoginRequest>;
export type RecoverInput = z.input<typeof Schemas.RecoverRequest>;
export type ResetInput = z.input<typeof Schemas.ResetRequest>;
export type ProfileUpdate = z.input<typeof Schemas.ProfileUpdateRequest>;
export type PasswordChangeInput = z.input<typeof Schemas.PasswordChangeRequest>;
export type SupportInput = z.input<typeof SupportSchemas.SupportRequest>;

/** The captcha answer a form sends with its data. */
export type CaptchaSolution = { captchaId: string; captchaAnswer: string };

export const getCaptcha = (signal?: AbortSignal) => apiFetch<Captcha>('/api/captcha', signal ? { signal } : {});

export const register = (body: RegisterInput) => apiFetch<Accepted>('/api/auth/register', { method: 'POST', body });

export const confirmRegistration = (body: ConfirmInput) =>
  apiFetch<Session>('/api/auth/confirm', { method: 'POST', body });

export const login = (body: LoginInput) => apiFetch<Session>('/api/auth/login', { method: 'POST', body });

export const logout = () => apiFetch<void>('/api/auth/logout', { method: 'POST' });

export const recoverPassword = (body: RecoverInput) =>
  apiFetch<Accepted>('/api/auth/recover', { method: 'POST', body });

export const resetPassword = (body: ResetInput) => apiFetch<Session>('/api/auth/reset', { method: 'POST', body });

export const getMe = (signal?: AbortSignal) => apiFetch<Me>('/api/me', signal ? { signal } : {});

/** The cabinet home's facts in one request: owed and by when, the window, the last payment, the bills. */
export const getHome = (signal?: AbortSignal) => apiFetch<Home>('/api/home', signal ? { signal } : {});

export const getProfile = (signal?: AbortSignal) => apiFetch<Profile>('/api/profile', signal ? { signal } : {});

export const updateProfile = (body: ProfileUpdate) => apiFetch<Profile>('/api/profile', { method: 'PATCH', body });

export type EmailChangeInput = z.input<typeof Schemas.EmailChangeRequest>;

export const requestEmailChange = (body: EmailChangeInput) =>
  apiFetch<Accepted>('/api/profile/email', { method: 'POST', body });

export const confirmEmailChange = (token: string) =>
  apiFetch<Accepted>('/api/profile/email/confirm', { method: 'POST', body: { token } });

export const undoEmailChange = (token: string) =>
  apiFetch<Accepted>('/api/profile/email/undo', { method: 'POST', body: { token } });

export type LoginChallenge = z.infer<typeof Schemas.LoginChallengeResponse>;
export type PhoneAccepted = z.infer<typeof Schemas.PhoneAccepted>;

/** Login answers a session, or (login by SMS code on) a challenge for the code step. */
export const loginOrChallenge = (body: LoginInput) =>
  apiFetch<Session | LoginChallenge>('/api/auth/login', { method: 'POST', body });

export const loginWithCode = (body: { challenge: string; code: string }) =>
  apiFetch<Session>('/api/auth/login/code', { method: 'POST', body });

export const requestPhoneCode = (body: { phone: string; currentPassword?: string }) =>
  apiFetch<PhoneAccepted>('/api/profile/phone', { method: 'POST', body });

export const confirmPhoneCode = (code: string) =>
  apiFetch<PhoneAccepted>('/api/profile/phone/confirm', { method: 'POST', body: { code } });

/** Removes the cabinet's phone (and the login by SMS code); 204, or 401 `invalid_credentials` on the password. */
export const removePhone = (currentPassword: string) =>
  apiFetch<void>('/api/profile/phone', { method: 'DELETE', body: { currentPassword } });

export const changePassword = (body: PasswordChangeInput) =>
  apiFetch<Session>('/api/profile/password', { method: 'POST', body });

export const createSupportRequest = (body: SupportInput) =>
  apiFetch<SupportCreated>('/api/support', { method: 'POST', body });

export const listSupportRequests = (signal?: AbortSignal) =>
  apiFetch<SupportList>('/api/support', signal ? { signal } : {});

export const addSupportMessage = (id: string, text: string) =>
  apiFetch<SupportTicket>(`/api/support/${encodeURIComponent(id)}/messages`, { method: 'POST', body: { text } });
