import * as z from 'zod/mini';
import { normalisePhone } from '#shared/accounts/phoneNumber';
import { lazySchema } from '#shared/api/lazySchema';
import { AccountNumber, Kopecks } from '#shared/api/schemas';

/** Request and response shapes of registration, login, recovery and profile. */

export const Passport = /* @__PURE__ */ lazySchema(() =>
  z
    .string()
    .check(
      z.trim(),
      z.minLength(1, 'Укажите серию и номер паспорта'),
      z.maxLength(40, 'Слишком длинное значение'),
      z.meta({ description: 'Серия и номер паспорта, любые пробелы', example: '1405 123456' }),
    ),
);

export const Email = /* @__PURE__ */ lazySchema(() =>
  z.pipe(
    z.pipe(
      z.string().check(z.trim(), z.maxLength(254, 'Слишком длинный адрес')),
      z.email('Укажите адрес электронной почты, например ivanova@mail.ru'),
    ),
    z.transform((e: string) => e.toLowerCase()),
  ),
);

export const Password = /* @__PURE__ */ lazySchema(() =>
  z
    .string()
    .check(
      z.minLength(8, 'Пароль — не короче 8 символов'),
      z.maxLength(128, 'Пароль — не длиннее 128 символов'),
      z.meta({ description: '8–128 символов; без требований к составу; распространённые пароли отклоняются' }),
    ),
);

export const CaptchaId = /* @__PURE__ */ lazySchema(() =>
  z.string().check(z.regex(/^[A-Za-z0-9_-]{16,64}$/, 'Пройдите проверку «Я не робот» ещё раз')),
);
/** The ALTCHA widget's payload (base64 JSON of the challenge and its solution). */
export const CaptchaAnswer = /* @__PURE__ */ lazySchema(() =>
  z
    .string()
    .check(
      z.trim(),
      z.minLength(1, 'Пройдите проверку «Я не робот»'),
      z.maxLength(4096, 'Пройдите проверку «Я не робот» ещё раз'),
      z.meta({ description: 'Ответ виджета ALTCHA (payload, base64)' }),
    ),
);
const Token = /* @__PURE__ */ lazySchema(() =>
  z.string().check(z.regex(/^[A-Za-z0-9_-]{20,100}$/, 'Ссылка недействительна')),
);
export const Phone = /* @__PURE__ */ lazySchema(() =>
  z
    .string()
    .check(z.trim(), z.maxLength(32), z.regex(/^\+?[\d\s()-]{10,20}$/, 'Укажите телефон, например +7 (4725) 12-34-56')),
);

export const CaptchaResponse = /* @__PURE__ */ lazySchema(() =>
  z
    .object({
      id: z.string(),
      challenge: z
        .object({
          parameters: z.record(z.string(), z.unknown()),
          signature: z.optional(z.string()),
        })
        .check(z.meta({ description: 'Задача ALTCHA (proof-of-work) для виджета: parameters и signature' })),
      answer: z
        .optional(z.string())
        .check(z.meta({ description: 'Готовый ответ (payload); только при RAC_TEST_MODE=1 в локальном запуске' })),
    })
    .check(z.meta({ id: 'Captcha' })),
);

export const RegisterRequest = /* @__PURE__ */ lazySchema(() =>
  z.object({
    account: AccountNumber,
    passport: Passport,
    email: Email,
    consent: z.literal(true, 'Необходимо согласие на обработку персональных данных'),
    captchaId: CaptchaId,
    captchaAnswer: CaptchaAnswer,
  }),
);

export const ConfirmRequest = /* @__PURE__ */ lazySchema(() => z.object({ token: Token, password: Password }));

export const LoginRequest = /* @__PURE__ */ lazySchema(() =>
  z.object({
    account: AccountNumber,
    password: z.string().check(z.minLength(1, 'Введите пароль'), z.maxLength(128, 'Пароль — не длиннее 128 символов')),
    captchaId: z.optional(CaptchaId),
    captchaAnswer: z.optional(CaptchaAnswer),
  }),
);

export const RecoverRequest = /* @__PURE__ */ lazySchema(() =>
  z.object({
    account: AccountNumber,
    email: Email,
    captchaId: CaptchaId,
    captchaAnswer: CaptchaAnswer,
  }),
);

export const ResetRequest = /* @__PURE__ */ lazySchema(() => z.object({ token: Token, password: Password }));

export const SessionResponse = /* @__PURE__ */ lazySchema(() =>
  z
    .object({ account: AccountNumber, owner: z.string() })
    .check(z.meta({ id: 'Session', description: 'Сессия открыта; cookie установлена' })),
);

export const Accepted = /* @__PURE__ */ lazySchema(() =>
  z.object({ message: z.string() }).check(z.meta({ id: 'Accepted' })),
);

export const ServiceBalance = /* @__PURE__ */ lazySchema(() => z.object({ service: z.string(), balance: Kopecks }));

export const MeResponse = /* @__PURE__ */ lazySchema(() =>
  z
    .object({
      account: AccountNumber,
      owner: z.string(),
      address: z.string(),
      email: z.string(),
      phone: z
        .nullable(z.string())
        .check(z.meta({ description: 'Телефон кабинета; подтверждённый — в виде +7XXXXXXXXXX' })),
      phoneConfirmed: z.boolean().check(z.meta({ description: 'Телефон подтверждён кодом из SMS' })),
      area: z.string().check(z.meta({ description: 'Общая площадь, м² (десятичная строка)' })),
      residents: z.number().check(z.int()),
      balance: z.object({
        total: Kopecks.check(z.meta({ description: 'Положительный — долг, отрицательный — переплата' })),
        services: z.array(ServiceBalance),
      }),
    })
    .check(z.meta({ id: 'Me' })),
);

const Period = /* @__PURE__ */ lazySchema(() => z.string().check(z.meta({ description: 'ГГГГ-ММ' })));
const Day = /* @__PURE__ */ lazySchema(() => z.string().check(z.meta({ description: 'ГГГГ-ММ-ДД' })));

export const HomeResponse = /* @__PURE__ */ lazySchema(() =>
  z
    .object({
      balance: z.object({
        total: Kopecks.check(z.meta({ description: 'Положительный — долг, отрицательный — переплата' })),
        services: z.array(ServiceBalance),
      }),
      toPay: Kopecks.check(z.meta({ description: 'К оплате сейчас (долг), ≥ 0' })),
      advance: Kopecks.check(z.meta({ description: 'Аванс (переплата), ≥ 0' })),
      overdue: Kopecks.check(z.meta({ description: 'Из toPay: долг по квитанциям, срок оплаты которых прошёл' })),
      payBy: z
        .nullable(Day)
        .check(z.meta({ description: 'Оплатить до (как в последнем ЕПД); null — ничего не должен' })),
      bills: z
        .array(
          z.object({
            period: Period,
            charged: Kopecks.check(z.meta({ description: 'Начислено за месяц' })),
            closing: Kopecks.check(z.meta({ description: 'Сальдо на конец месяца' })),
            dueDate: Day.check(z.meta({ description: 'Срок оплаты по ЖК РФ ст. 155 ч. 1' })),
          }),
        )
        .check(z.meta({ description: 'Месяцы, за которые есть квитанция (ЕПД), от новых к старым' })),
      nextBill: z
        .object({ period: Period, on: Day })
        .check(z.meta({ description: 'Следующая квитанция: за какой месяц и когда будет сформирована' })),
      window: z.object({
        open: z.boolean(),
        opensAt: z.iso.datetime({ offset: true }),
        closesAt: z.iso.datetime({ offset: true }),
        period: Period.check(z.meta({ description: 'Месяц, за который принимаются показания' })),
        days: z
          .number()
          .check(
            z.int(),
            z.meta({ description: 'Открыт: осталось дней, включая сегодня (МСК); закрыт: дней до открытия' }),
          ),
      }),
      lastPayment: z.nullable(z.object({ id: z.string(), amount: Kopecks, paidAt: z.iso.datetime({ offset: true }) })),
    })
    .check(z.meta({ id: 'Home' })),
);

export const ProfileResponse = /* @__PURE__ */ lazySchema(() =>
  z
    .object({
      account: AccountNumber,
      owner: z.string(),
      address: z.string(),
      email: z.string(),
      pendingEmail: z.nullable(z.string()),
      emailUndeliverable: z.nullable(z.object({ reason: z.enum(['bounce', 'complaint']), since: z.string() })).check(
        z.meta({
          description:
            'Почтовый сервер адресата отказал в доставке (bounce) или адресат пожаловался на спам (complaint): письма на адрес не отправляются',
        }),
      ),
      phone: z.nullable(z.string()),
      phoneConfirmed: z.boolean().check(z.meta({ description: 'Телефон подтверждён кодом из SMS' })),
      loginCodeBySms: z
        .boolean()
        .check(z.meta({ description: 'Вход по паролю и коду из SMS на подтверждённый телефон' })),
      remindersOptIn: z.boolean().check(z.meta({ description: 'Напоминать об открытии приёма показаний' })),
      billByEmail: z.boolean().check(z.meta({ description: 'Присылать ЕПД на почту' })),
      newsByEmail: z.boolean().check(z.meta({ description: 'Присылать новости РАЦ на почту' })),
      consent: z.object({ version: z.string(), acceptedAt: z.string() }),
      registeredAt: z.string(),
    })
    .check(z.meta({ id: 'Profile' })),
);

export const ProfileUpdateRequest = /* @__PURE__ */ lazySchema(() =>
  z
    .object({
      phone: z.optional(z.union([Phone, z.literal('')])),
      remindersOptIn: z.optional(z.boolean()),
      billByEmail: z.optional(z.boolean()),
      newsByEmail: z.optional(z.boolean()),
      loginCodeBySms: z.optional(z.boolean()).check(
        z.meta({
          description: 'Включить вход по коду из SMS: только с подтверждённым телефоном (409 phone_not_confirmed)',
        }),
      ),
    })
    .check(z.refine((v) => Object.keys(v).length > 0, 'Нечего сохранять')),
);

/** A Russian mobile number in any usual spelling, normalised to +7XXXXXXXXXX (shared/accounts/phoneNumber.ts). */
export const MobilePhone = /* @__PURE__ */ lazySchema(() =>
  z
    .pipe(
      z.string().check(z.maxLength(40, 'Слишком длинный номер')),
      // Mini's transform context has no addIssue: the issue goes into the payload as classic's would put it.
      z.transform((value: string, ctx) => {
        const check = normalisePhone(value);
        if (check.ok) return check.phone;
        ctx.issues.push({ code: 'custom', message: check.message, input: value });
        return z.NEVER;
      }),
    )
    .check(z.meta({ description: 'Мобильный телефон: 8…, +7…, пробелы, скобки, дефисы', example: '+7 912 345-67-89' })),
);

/**
 * The current password a change in the cabinet asks for (shared/accounts/currentPassword.ts checks
 * it). Optional on purpose: a missing password is a wrong one (401 invalid_credentials), as the
 * contract says for the e-mail change. Built inside each request's schema, never at load.
 */
function currentPasswordField(description: string) {
  return z.optional(z.string().check(z.maxLength(1024, 'Слишком длинное значение'))).check(z.meta({ description }));
}

const SmsCode = /* @__PURE__ */ lazySchema(() =>
  z
    .string()
    .check(
      z.trim(),
      z.regex(/^\d{6}$/, 'Введите 6 цифр кода из SMS'),
      z.meta({ description: '6 цифр из SMS', example: '123456' }),
    ),
);

export const PhoneRequest = /* @__PURE__ */ lazySchema(() =>
  z.object({
    phone: MobilePhone,
    currentPassword: currentPasswordField('Текущий пароль: нужен, когда в кабинете уже есть подтверждённый телефон'),
  }),
);
export const PhoneCodeRequest = /* @__PURE__ */ lazySchema(() => z.object({ code: SmsCode }));
export const PhoneRemoveRequest = /* @__PURE__ */ lazySchema(() =>
  z.object({
    currentPassword: currentPasswordField('Текущий пароль; без него или с неверным — 401 invalid_credentials'),
  }),
);
export const PhoneAccepted = /* @__PURE__ */ lazySchema(() =>
  z
    .object({ message: z.string(), phone: z.string().check(z.meta({ description: '+7 912 345-67-89' })) })
    .check(z.meta({ id: 'PhoneAccepted' })),
);

export const LoginChallengeResponse = /* @__PURE__ */ lazySchema(() =>
  z
    .object({
      challenge: z
        .string()
        .check(z.meta({ description: 'Для POST /api/auth/login/code; действует 10 минут, один вход' })),
      phone: z.string().check(z.meta({ description: 'Куда ушёл код, скрыто: +7 ••• •••-67-89' })),
      message: z.string(),
    })
    .check(z.meta({ id: 'LoginChallenge', description: 'Включён вход по коду из SMS: сессия откроется после кода' })),
);

export const LoginCodeRequest = /* @__PURE__ */ lazySchema(() =>
  z.object({
    challenge: z.string().check(z.regex(/^[A-Za-z0-9_-]{20,64}$/, 'Войдите заново: введите номер счёта и пароль')),
    code: SmsCode,
  }),
);

export const EmailChangeRequest = /* @__PURE__ */ lazySchema(() =>
  z.object({
    email: Email,
    currentPassword: currentPasswordField('Текущий пароль; без него или с неверным — 401 invalid_credentials'),
  }),
);
export const EmailConfirmRequest = /* @__PURE__ */ lazySchema(() => z.object({ token: Token }));
export const EmailUndoRequest = /* @__PURE__ */ lazySchema(() => z.object({ token: Token }));

// No robot check: a logged-in resident proves themselves with the current password. Fields a
// client still sends (captchaId, captchaAnswer) are stripped, as on every object schema.
export const PasswordChangeRequest = /* @__PURE__ */ lazySchema(() =>
  z.object({
    oldPassword: z.string().check(z.minLength(1, 'Введите текущий пароль'), z.maxLength(128)),
    newPassword: Password,
  }),
);
