import * as z from 'zod/mini';
import { CaptchaAnswer, CaptchaId } from '#shared/accounts/schemas';
import { lazySchema } from '#shared/api/lazySchema';
import { AccountNumber, Period } from '#shared/api/schemas';
import { QueryPeriod, rangeWithinLimits } from '#shared/billing/schemas';
import { SERVICE_IDS } from '#shared/registry/services';
import { addMonths, now, periodOf } from '#shared/time';

/** Request and response shapes of meters and readings; they also generate the OpenAPI document. */

/** Where a reading came from (ReadingSource in shared/readings/store.ts). */
export const READING_SOURCES = ['web', 'quick', 'seed', 'bank', 'legacy', 'paper', 'phone', 'controller'] as const;

const MeterId = /* @__PURE__ */ lazySchema(() =>
  z
    .string()
    .check(
      z.minLength(1, 'Не указан счётчик'),
      z.maxLength(80, 'Неизвестный счётчик'),
      z.meta({ description: 'Идентификатор счётчика из GET /api/meters (заводской номер в base64url)' }),
    ),
);

const DecimalString = /* @__PURE__ */ lazySchema(() =>
  z.string().check(z.meta({ description: 'Десятичное число строкой, точка — разделитель', example: '412.375' })),
);
const Service = /* @__PURE__ */ lazySchema(() =>
  z.enum(SERVICE_IDS).check(z.meta({ description: 'Услуга (см. справочник услуг)' })),
);

/**
 * A reading as typed (a string: "105,2", "105.2") or as a program sends it (a JSON number: 105.2).
 * A number becomes its shortest decimal text (JavaScript's own), so 105.2 is "105.2" and the same
 * rules judge it: a negative number or one that prints with an exponent (1e21) is refused there
 * with the same reason a typed "-3" or "1e9" gets; a float artefact such as 0.30000000000000004
 * fails the decimal places check instead of being rounded silently.
 */
const ReadingValue = /* @__PURE__ */ lazySchema(() =>
  z
    .pipe(
      z.union(
        [
          z.string().check(z.maxLength(32, 'Слишком длинное значение')),
          z.number('Введите показание числом или строкой, например 123.45 или "123,45"'),
        ],
        { error: 'Введите показание числом или строкой, например 123.45 или "123,45"' },
      ),
      z.transform((value: string | number) => (typeof value === 'number' ? String(value) : value)),
    )
    .check(
      z.meta({
        description:
          'Показание как на счётчике: строка (цифры, запятая или точка перед дробной частью, «12,5» = «12.5») ' +
          'или число JSON (12.5); без знака и экспоненты',
        examples: ['412,5', 412.5],
      }),
    ),
);

export const ReadingInput = /* @__PURE__ */ lazySchema(() =>
  z.object({
    meterId: MeterId,
    value: ReadingValue,
    confirm: z.optional(z.boolean()).check(
      z.meta({
        description:
          'Житель подтверждает значение после вопроса сервера (confirmation_required): счётчик перешёл через ноль ' +
          'или расход намного больше обычного',
      }),
    ),
  }),
);

const Readings = /* @__PURE__ */ lazySchema(() =>
  z.array(ReadingInput).check(
    z.minLength(1, 'Передайте хотя бы одно показание'),
    z.maxLength(30, 'Не больше 30 счётчиков за раз'),
    z.refine((items) => new Set(items.map((i) => i.meterId)).size === items.length, 'Счётчик указан дважды'),
    z.meta({ description: 'Показания; принимаются все вместе или ни одного' }),
  ),
);

export const SubmitReadingsRequest = /* @__PURE__ */ lazySchema(() =>
  z.object({ readings: Readings }).check(z.meta({ id: 'SubmitReadingsRequest' })),
);

export const QuickStartRequest = /* @__PURE__ */ lazySchema(() =>
  z.object({
    account: AccountNumber,
    captchaId: CaptchaId,
    captchaAnswer: CaptchaAnswer,
  }),
);

// `ticket` (here, in QuickStartResponse and the error `invalid_ticket`) is the contract's name for
// what the code calls the quick pass (shared/readings/quickPass.ts); the wire names stay.
export const QuickSubmitRequest = /* @__PURE__ */ lazySchema(() =>
  z.object({
    ticket: z
      .string()
      .check(
        z.minLength(20, 'Начните заново: введите номер лицевого счёта и код'),
        z.maxLength(2000, 'Начните заново: введите номер лицевого счёта и код'),
        z.meta({ description: 'Билет из POST /api/readings/quick/start (действует 20 минут)' }),
      ),
    readings: Readings,
  }),
);

export const ReadingWindow = /* @__PURE__ */ lazySchema(() =>
  z
    .object({
      open: z.boolean().check(z.meta({ description: 'Идёт ли приём показаний' })),
      opensAt: z.string().check(z.meta({ description: 'Начало текущего или следующего приёма, ISO 8601' })),
      closesAt: z.string().check(z.meta({ description: 'Окончание текущего или следующего приёма, ISO 8601' })),
      period: Period.check(z.meta({ description: 'Период, к которому относятся показания этого приёма' })),
    })
    .check(z.meta({ id: 'ReadingWindow' })),
);

export const Meter = /* @__PURE__ */ lazySchema(() =>
  z
    .object({
      id: MeterId,
      service: Service,
      title: z.string().check(z.meta({ description: 'Название услуги' })),
      unit: z.string().check(z.meta({ description: 'Единица измерения' })),
      serial: z.string().check(z.meta({ description: 'Заводской номер' })),
      digits: z.number().check(z.int(), z.meta({ description: 'Разрядность счётного механизма (цифр до запятой)' })),
      decimals: z.number().check(z.int(), z.meta({ description: 'Сколько знаков после запятой можно ввести' })),
      verifiedUntil: z.string().check(z.meta({ description: 'Дата окончания поверки, ГГГГ-ММ-ДД' })),
      expired: z.boolean().check(z.meta({ description: 'Срок поверки истёк: показания не принимаются' })),
      verificationEndsSoon: z.boolean().check(z.meta({ description: 'Поверка заканчивается в ближайший месяц' })),
      lastReading: z
        .nullable(
          z.object({
            value: DecimalString,
            date: z.string().check(z.meta({ description: 'Когда передано, ISO 8601' })),
            period: Period,
          }),
        )
        .check(z.meta({ description: 'Последнее принятое показание' })),
      basis: DecimalString.check(z.meta({ description: 'Показание, от которого считается расход этого приёма' })),
      submitted: z
        .nullable(z.object({ value: DecimalString, consumption: DecimalString, submittedAt: z.string() }))
        .check(z.meta({ description: 'Показание, уже переданное в этом приёме (его можно заменить)' })),
      usualConsumption: z
        .nullable(DecimalString)
        .check(z.meta({ description: 'Обычный расход в месяц: среднее за последние (до 3) периоды или норматив' })),
      usualFrom: z.nullable(z.enum(['average', 'norm'])).check(
        z.meta({
          description: 'Откуда usualConsumption: average — средний расход за последние месяцы, norm — норматив',
        }),
      ),
      expectedConsumption: z
        .nullable(DecimalString)
        .check(
          z.meta({ description: 'Ожидаемый расход с предыдущего показания; втрое больший требует подтверждения' }),
        ),
    })
    .check(z.meta({ id: 'Meter' })),
);

export const MetersResponse = /* @__PURE__ */ lazySchema(() =>
  z.object({ window: ReadingWindow, meters: z.array(Meter) }).check(z.meta({ id: 'Meters' })),
);

export const QuickStartResponse = /* @__PURE__ */ lazySchema(() =>
  z
    .object({
      ticket: z.string().check(z.meta({ description: 'Билет для POST /api/readings/quick' })),
      expiresAt: z.string().check(z.meta({ description: 'Билет действует до, ISO 8601' })),
      account: AccountNumber,
      window: ReadingWindow,
      meters: z.array(Meter),
    })
    .check(z.meta({ id: 'QuickReadings', description: 'Счётчики лицевого счёта без персональных данных владельца' })),
);

export const SubmissionResponse = /* @__PURE__ */ lazySchema(() =>
  z
    .object({
      message: z.string().check(z.meta({ example: 'Показания успешно переданы' })),
      period: Period,
      items: z.array(z.object({ meterId: MeterId, period: Period, value: DecimalString, consumption: DecimalString })),
    })
    .check(z.meta({ id: 'ReadingsAccepted' })),
);

/** History defaults (shared/readings/history.ts): `to` this month, `from` 11 months before `to`. */
export const HistoryQuery = /* @__PURE__ */ lazySchema(() =>
  rangeWithinLimits(
    z.object({
      from: z
        .optional(QueryPeriod)
        .check(z.meta({ description: 'С периода ГГГГ-ММ (по умолчанию — 11 месяцев до конца)' })),
      to: z.optional(QueryPeriod).check(z.meta({ description: 'По период ГГГГ-ММ (по умолчанию — текущий)' })),
    }),
    ({ from, to = periodOf(now()) }) => ({ from: from ?? addMonths(to, -11), to }),
  ),
);

export const HistoryResponse = /* @__PURE__ */ lazySchema(() =>
  z
    .object({
      from: Period,
      to: Period,
      meters: z.array(
        z.object({
          id: MeterId,
          serial: z.string(),
          service: Service,
          title: z.string(),
          unit: z.string(),
          decimals: z.number().check(z.int()),
        }),
      ),
      items: z.array(
        z.object({
          meterId: MeterId,
          serial: z.string(),
          service: Service,
          period: Period,
          value: DecimalString,
          consumption: DecimalString.check(z.meta({ description: 'Расход за период (с учётом перехода через ноль)' })),
          submittedAt: z.string(),
          source: z.enum(READING_SOURCES).check(
            z.meta({
              description:
                'web — личный кабинет; quick — без входа; seed — демо-данные; bank — через банк; ' +
                'legacy — из прежней системы; paper — бумажный бланк; phone — по телефону; controller — обход контролёра',
            }),
          ),
          rollover: z.boolean().check(z.meta({ description: 'Счётчик перешёл через ноль' })),
          replaced: z
            .array(z.object({ value: DecimalString, consumption: DecimalString, submittedAt: z.string() }))
            .check(
              z.meta({ description: 'Заменённые повторной передачей значения этого периода, от ранних к поздним' }),
            ),
        }),
      ),
    })
    .check(z.meta({ id: 'ReadingHistory' })),
);
