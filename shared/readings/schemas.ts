import * as z from 'zod';
import { AccountNumber, Period } from '#shared/api/schemas';
import { SERVICE_IDS } from '#shared/registry/services';

/** Request and response shapes of meters and readings; they also generate the OpenAPI document. */

const MeterId = z
  .string()
  .min(1, 'Не указан счётчик')
  .max(80, 'Неизвестный счётчик')
  .meta({ description: 'Идентификатор счётчика из GET /api/meters (заводской номер в base64url)' });

const DecimalString = z
  .string()
  .meta({ description: 'Десятичное число строкой, точка — разделитель', example: '412.375' });
const Service = z.enum(SERVICE_IDS).meta({ description: 'Услуга (см. справочник услуг)' });

export const ReadingInput = z.object({
  meterId: MeterId,
  value: z
    .string('Введите показание строкой, например "123,45"')
    .max(32, 'Слишком длинное значение')
    .meta({
      description:
        'Показание как на счётчике: цифры, запятая или точка перед дробной частью («12,5» = «12.5»); ' +
        'без знака и экспоненты',
      example: '412,5',
    }),
  confirm: z
    .boolean()
    .optional()
    .meta({
      description:
        'Житель подтверждает значение после вопроса сервера (confirmation_required): счётчик перешёл через ноль ' +
        'или расход намного больше обычного',
    }),
});

const Readings = z
  .array(ReadingInput)
  .min(1, 'Передайте хотя бы одно показание')
  .max(30, 'Не больше 30 счётчиков за раз')
  .refine((items) => new Set(items.map((i) => i.meterId)).size === items.length, 'Счётчик указан дважды')
  .meta({ description: 'Показания; принимаются все вместе или ни одного' });

export const SubmitReadingsRequest = z.object({ readings: Readings }).meta({ id: 'SubmitReadingsRequest' });

export const QuickStartRequest = z.object({
  account: AccountNumber,
  captchaId: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, 'Обновите картинку с кодом'),
  captchaAnswer: z.string().trim().min(1, 'Введите код с картинки').max(16, 'Введите код с картинки'),
});

// `ticket` (here, in QuickStartResponse and the error `invalid_ticket`) is the contract's name for
// what the code calls the quick pass (shared/readings/quickPass.ts); the wire names stay.
export const QuickSubmitRequest = z.object({
  ticket: z
    .string()
    .min(20, 'Начните заново: введите номер лицевого счёта и код')
    .max(2000, 'Начните заново: введите номер лицевого счёта и код')
    .meta({ description: 'Билет из POST /api/readings/quick/start (действует 20 минут)' }),
  readings: Readings,
});

export const ReadingWindow = z
  .object({
    open: z.boolean().meta({ description: 'Идёт ли приём показаний' }),
    opensAt: z.string().meta({ description: 'Начало текущего или следующего приёма, ISO 8601' }),
    closesAt: z.string().meta({ description: 'Окончание текущего или следующего приёма, ISO 8601' }),
    period: Period.meta({ description: 'Период, к которому относятся показания этого приёма' }),
  })
  .meta({ id: 'ReadingWindow' });

export const Meter = z
  .object({
    id: MeterId,
    service: Service,
    title: z.string().meta({ description: 'Название услуги' }),
    unit: z.string().meta({ description: 'Единица измерения' }),
    serial: z.string().meta({ description: 'Заводской номер' }),
    digits: z.number().int().meta({ description: 'Разрядность счётного механизма (цифр до запятой)' }),
    decimals: z.number().int().meta({ description: 'Сколько знаков после запятой можно ввести' }),
    verifiedUntil: z.string().meta({ description: 'Дата окончания поверки, ГГГГ-ММ-ДД' }),
    expired: z.boolean().meta({ description: 'Срок поверки истёк: показания не принимаются' }),
    verificationEndsSoon: z.boolean().meta({ description: 'Поверка заканчивается в ближайший месяц' }),
    lastReading: z
      .object({
        value: DecimalString,
        date: z.string().meta({ description: 'Когда передано, ISO 8601' }),
        period: Period,
      })
      .nullable()
      .meta({ description: 'Последнее принятое показание' }),
    basis: DecimalString.meta({ description: 'Показание, от которого считается расход этого приёма' }),
    submitted: z
      .object({ value: DecimalString, consumption: DecimalString, submittedAt: z.string() })
      .nullable()
      .meta({ description: 'Показание, уже переданное в этом приёме (его можно заменить)' }),
    usualConsumption: DecimalString.nullable().meta({
      description: 'Обычный расход в месяц: среднее за последние (до 3) периоды или норматив',
    }),
    expectedConsumption: DecimalString.nullable().meta({
      description: 'Ожидаемый расход с предыдущего показания; втрое больший требует подтверждения',
    }),
  })
  .meta({ id: 'Meter' });

export const MetersResponse = z.object({ window: ReadingWindow, meters: z.array(Meter) }).meta({ id: 'Meters' });

export const QuickStartResponse = z
  .object({
    ticket: z.string().meta({ description: 'Билет для POST /api/readings/quick' }),
    expiresAt: z.string().meta({ description: 'Билет действует до, ISO 8601' }),
    account: AccountNumber,
    window: ReadingWindow,
    meters: z.array(Meter),
  })
  .meta({ id: 'QuickReadings', description: 'Счётчики лицевого счёта без персональных данных владельца' });

export const SubmissionResponse = z
  .object({
    message: z.string().meta({ example: 'Показания успешно переданы' }),
    period: Period,
    items: z.array(z.object({ meterId: MeterId, period: Period, value: DecimalString, consumption: DecimalString })),
  })
  .meta({ id: 'ReadingsAccepted' });

export const HistoryQuery = z.object({
  from: Period.optional().meta({ description: 'С периода ГГГГ-ММ (по умолчанию — 11 месяцев до конца)' }),
  to: Period.optional().meta({ description: 'По период ГГГГ-ММ (по умолчанию — текущий)' }),
});

export const HistoryResponse = z
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
        decimals: z.number().int(),
      }),
    ),
    items: z.array(
      z.object({
        meterId: MeterId,
        serial: z.string(),
        service: Service,
        period: Period,
        value: DecimalString,
        consumption: DecimalString.meta({ description: 'Расход за период (с учётом перехода через ноль)' }),
        submittedAt: z.string(),
        source: z.enum(['web', 'quick', 'seed', 'bank']).meta({
          description: 'web — личный кабинет; quick — без входа; seed — демо-данные; bank — через банк',
        }),
        rollover: z.boolean().meta({ description: 'Счётчик перешёл через ноль' }),
        replaced: z
          .array(z.object({ value: DecimalString, consumption: DecimalString, submittedAt: z.string() }))
          .meta({ description: 'Заменённые повторной передачей значения этого периода, от ранних к поздним' }),
      }),
    ),
  })
  .meta({ id: 'ReadingHistory' });
