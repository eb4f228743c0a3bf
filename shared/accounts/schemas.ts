import * as z from 'zod';
import { AccountNumber, Kopecks } from '#shared/api/schemas';

/** Request and response shapes of registration, login, recovery and profile. */

const Passport = z
  .string()
  .trim()
  .min(1, 'Укажите серию и номер паспорта')
  .max(40, 'Слишком длинное значение')
  .meta({ description: 'Серия и номер паспорта, любые пробелы', example: '1405 123456' });

export const Email = z
  .string()
  .trim()
  .max(254, 'Слишком длинный адрес')
  .pipe(z.email('Укажите адрес электронной почты, например ivanova@mail.ru'))
  .transform((e) => e.toLowerCase());

export const Password = z
  .string()
  .min(8, 'Пароль — не короче 8 символов')
  .max(128, 'Пароль — не длиннее 128 символов')
  .meta({ description: '8–128 символов; без требований к составу; распространённые пароли отклоняются' });

export const CaptchaId = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, 'Пройдите проверку «Я не робот» ещё раз');
/** The ALTCHA widget's payload (base64 JSON of the challenge and its solution). */
export const CaptchaAnswer = z
  .string()
  .trim()
  .min(1, 'Пройдите проверку «Я не робот»')
  .max(4096, 'Пройдите проверку «Я не робот» ещё раз')
  .meta({ description: 'Ответ виджета ALTCHA (payload, base64)' });
const Token = z.string().regex(/^[A-Za-z0-9_-]{20,100}$/, 'Ссылка недействительна');
export const Phone = z
  .string()
  .trim()
  .max(32)
  .regex(/^\+?[\d\s()-]{10,20}$/, 'Укажите телефон, например +7 (4725) 12-34-56');

export const CaptchaResponse = z
  .object({
    id: z.string(),
    challenge: z
      .object({
        parameters: z.record(z.string(), z.unknown()),
        signature: z.string().optional(),
      })
      .meta({ description: 'Задача ALTCHA (proof-of-work) для виджета: parameters и signature' }),
    answer: z
      .string()
      .optional()
      .meta({ description: 'Готовый ответ (payload); только при RAC_TEST_MODE=1 в локальном запуске' }),
  })
  .meta({ id: 'Captcha' });

export const RegisterRequest = z.object({
  account: AccountNumber,
  passport: Passport,
  email: Email,
  consent: z.literal(true, 'Необходимо согласие на обработку персональных данных'),
  captchaId: CaptchaId,
  captchaAnswer: CaptchaAnswer,
});

export const ConfirmRequest = z.object({ token: Token, password: Password });

export const LoginRequest = z.object({
  account: AccountNumber,
  password: z.string().min(1, 'Введите пароль').max(128, 'Пароль — не длиннее 128 символов'),
  captchaId: CaptchaId.optional(),
  captchaAnswer: CaptchaAnswer.optional(),
});

export const RecoverRequest = z.object({
  account: AccountNumber,
  email: Email,
  captchaId: CaptchaId,
  captchaAnswer: CaptchaAnswer,
});

export const ResetRequest = z.object({ token: Token, password: Password });

export const SessionResponse = z
  .object({ account: AccountNumber, owner: z.string() })
  .meta({ id: 'Session', description: 'Сессия открыта; cookie установлена' });

export const Accepted = z.object({ message: z.string() }).meta({ id: 'Accepted' });

export const ServiceBalance = z.object({ service: z.string(), balance: Kopecks });

export const MeResponse = z
  .object({
    account: AccountNumber,
    owner: z.string(),
    address: z.string(),
    email: z.string(),
    area: z.string().meta({ description: 'Общая площадь, м² (десятичная строка)' }),
    residents: z.number().int(),
    balance: z.object({
      total: Kopecks.meta({ description: 'Положительный — долг, отрицательный — переплата' }),
      services: z.array(ServiceBalance),
    }),
  })
  .meta({ id: 'Me' });

export const ProfileResponse = z
  .object({
    account: AccountNumber,
    owner: z.string(),
    address: z.string(),
    email: z.string(),
    pendingEmail: z.string().nullable(),
    emailUndeliverable: z
      .object({ reason: z.enum(['bounce', 'complaint']), since: z.string() })
      .nullable()
      .meta({
        description:
          'Почтовый сервер адресата отказал в доставке (bounce) или адресат пожаловался на спам (complaint): письма на адрес не отправляются',
      }),
    phone: z.string().nullable(),
    remindersOptIn: z.boolean().meta({ description: 'Напоминать об открытии приёма показаний' }),
    billByEmail: z.boolean().meta({ description: 'Присылать ЕПД на почту' }),
    newsByEmail: z.boolean().meta({ description: 'Присылать новости РАЦ на почту' }),
    consent: z.object({ version: z.string(), acceptedAt: z.string() }),
    registeredAt: z.string(),
  })
  .meta({ id: 'Profile' });

export const ProfileUpdateRequest = z
  .object({
    phone: Phone.or(z.literal('')).optional(),
    remindersOptIn: z.boolean().optional(),
    billByEmail: z.boolean().optional(),
    newsByEmail: z.boolean().optional(),
  })
  .refine((v) => Object.keys(v).length > 0, 'Нечего сохранять');

export const EmailChangeRequest = z.object({
  email: Email,
  // Optional in the schema on purpose: a missing password is a wrong one (401), as the contract says.
  currentPassword: z
    .string()
    .max(1024, 'Слишком длинное значение')
    .optional()
    .meta({ description: 'Текущий пароль; без него или с неверным — 401 invalid_credentials' }),
});
export const EmailConfirmRequest = z.object({ token: Token });
export const EmailUndoRequest = z.object({ token: Token });

export const PasswordChangeRequest = z.object({
  oldPassword: z.string().min(1, 'Введите текущий пароль').max(128),
  newPassword: Password,
  captchaId: CaptchaId,
  captchaAnswer: CaptchaAnswer,
});
