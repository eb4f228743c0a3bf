import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  addSupportMessage,
  changePassword,
  confirmEmailChange,
  createSupportRequest,
  getMe,
  login,
  logout,
  register,
  removePhone,
  updateProfile,
} from '../../web/src/api/accounts';
import { ApiError } from '../../web/src/api/client';
import { SUPPORT_STATUSES, SUPPORT_TOPICS, serviceTitle, supportStatusLabel } from '../../web/src/labels';

const fetchMock = vi.fn<typeof fetch>();

function respond(status: number, body?: unknown): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });
}

function lastRequest() {
  const call = fetchMock.mock.lastCall;
  if (!call) throw new Error('fetch was not called');
  const [url, init = {}] = call;
  return { url: String(url), method: init.method, body: init.body ? JSON.parse(String(init.body)) : undefined };
}

beforeEach(() => {
  fetchMock.mockReset();
  vi.stubGlobal('fetch', fetchMock);
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('web accounts API functions', () => {
  it('removes the phone with DELETE /api/profile/phone and the current password; a wrong one is the field error', async () => {
    fetchMock.mockResolvedValueOnce(new Response(null, { status: 204 }));
    await expect(removePhone('текущий пароль')).resolves.toBeUndefined();
    expect(lastRequest()).toEqual({
      url: '/api/profile/phone',
      method: 'DELETE',
      body: { currentPassword: 'текущий пароль' },
    });
    fetchMock.mockResolvedValueOnce(
      respond(401, {
        error: {
          code: 'invalid_credentials',
          message: 'Неверный номер лицевого счёта или пароль.',
          fields: { currentPassword: 'Чтобы удалить телефон, введите текущий пароль' },
        },
      }),
    );
    const error = await removePhone('не тот').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).fields.currentPassword).toBe('Чтобы удалить телефон, введите текущий пароль');
  });

  it('registers with POST /api/auth/register and the consent flag', async () => {
    fetchMock.mockResolvedValue(respond(202, { message: 'Письмо отправлено' }));
    const body = {
      account: '100001',
      passport: '1405 123456',
      email: 'a@b.ru',
      consent: true as const,
      captchaId: 'abcdefghijklmnop',
      captchaAnswer: '12345',
    };
    await expect(register(body)).resolves.toEqual({ message: 'Письмо отправлено' });
    expect(lastRequest()).toEqual({ url: '/api/auth/register', method: 'POST', body });
  });

  it('logs in, and hands back the 428 captcha_required error for the form to show a captcha', async () => {
    fetchMock.mockResolvedValue(
      respond(428, { error: { code: 'captcha_required', message: 'Введите код с картинки, чтобы продолжить.' } }),
    );
    const error = await login({ account: '100001', password: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 428, code: 'captcha_required' });
    expect(lastRequest()).toMatchObject({ url: '/api/auth/login', method: 'POST' });
  });

  it('logs out with an empty 204 answer', async () => {
    fetchMock.mockResolvedValue(new Response(null, { status: 204 }));
    await expect(logout()).resolves.toBeUndefined();
    expect(lastRequest()).toEqual({ url: '/api/auth/logout', method: 'POST', body: undefined });
  });

  it('reads /api/me, and reports 401 when nobody is logged in', async () => {
    fetchMock.mockResolvedValue(
      respond(401, { error: { code: 'unauthorized', message: 'Войдите в личный кабинет.' } }),
    );
    await expect(getMe()).rejects.toMatchObject({ status: 401, code: 'unauthorized' });
    expect(lastRequest()).toMatchObject({ url: '/api/me', method: 'GET' });
  });

  it('sends profile changes, password changes, e-mail confirmations and support requests to their routes', async () => {
    fetchMock.mockImplementation(async () => respond(200, {}));
    await updateProfile({ billByEmail: true });
    expect(lastRequest()).toEqual({ url: '/api/profile', method: 'PATCH', body: { billByEmail: true } });
    await changePassword({ oldPassword: 'a', newPassword: 'b' });
    expect(lastRequest()).toMatchObject({ url: '/api/profile/password', method: 'POST' });
    await confirmEmailChange('tok');
    expect(lastRequest()).toEqual({ url: '/api/profile/email/confirm', method: 'POST', body: { token: 'tok' } });
    await createSupportRequest({ name: 'Иванова', email: 'a@b.ru', topic: 'close_cabinet', message: 'Закройте' });
    expect(lastRequest()).toMatchObject({ url: '/api/support', method: 'POST', body: { topic: 'close_cabinet' } });
    await addSupportMessage('1234567', 'Спасибо');
    expect(lastRequest()).toEqual({ url: '/api/support/1234567/messages', method: 'POST', body: { text: 'Спасибо' } });
  });
});

describe('web labels', () => {
  it('names every support status in Russian', () => {
    expect(SUPPORT_STATUSES).toEqual({ open: 'Ждёт ответа', answered: 'Есть ответ', closed: 'Закрыто' });
    expect(supportStatusLabel('answered')).toBe('Есть ответ');
  });

  it('offers every support topic, including closing the cabinet', () => {
    expect(SUPPORT_TOPICS.map((topic) => topic.id)).toEqual(['question', 'readings', 'payments', 'close_cabinet']);
    expect(SUPPORT_TOPICS.find((topic) => topic.id === 'close_cabinet')?.label).toBe('Закрыть личный кабинет');
  });

  it('names services as the ЕПД does, and shows an unknown code as is', () => {
    expect(serviceTitle('cold_water')).toBe('Холодное водоснабжение');
    expect(serviceTitle('something_new')).toBe('something_new');
    expect(serviceTitle('advance')).toBe('Аванс');
  });
});
