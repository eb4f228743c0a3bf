import * as z from 'zod';
// Only the Russian locale: `z.locales` would pull every language into each bundle.
import ru from 'zod/v4/locales/ru.js';
import { lazySchema } from '#shared/api/lazySchema';
import { ACCOUNT_NUMBER, ACCOUNT_NUMBER_MESSAGE } from '#shared/format';

/**
 * Request and response schemas of the HTTP API. They validate requests in the handlers, type the
 * web client, and generate the OpenAPI document: one definition for all three.
 */
// `jitless`: zod otherwise compiles each object schema's parser with `new Function` at its first
// parse (and probes once whether it may), which a cold request pays for every body it validates
// (~0.5 ms, measured in bench/coldProfile.ts) to save ~1 µs on each later parse.
z.config({ ...ru(), jitless: true });

export const ErrorResponse = lazySchema(() =>
  z
    .object({
      error: z.object({
        code: z.string().meta({ description: 'Машиночитаемый код ошибки, snake_case' }),
        message: z.string().meta({ description: 'Сообщение для жителя, по-русски' }),
        fields: z.record(z.string(), z.string()).optional(),
      }),
    })
    .meta({ id: 'Error' }),
);

export const HealthResponse = lazySchema(() => z.object({ status: z.literal('ok') }).meta({ id: 'Health' }));
export type HealthResponse = z.infer<typeof HealthResponse>;

export const OpenApiResponse = lazySchema(() =>
  z
    .object({ openapi: z.string(), info: z.object({ title: z.string(), version: z.string() }) })
    .loose()
    .meta({ id: 'OpenApiDocument' }),
);

export const Period = lazySchema(() =>
  z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'Период в формате ГГГГ-ММ')
    .meta({ description: 'Расчётный период ГГГГ-ММ (Europe/Moscow)', example: '2026-10' }),
);

export const AccountNumber = lazySchema(() =>
  z
    .string()
    .regex(ACCOUNT_NUMBER, ACCOUNT_NUMBER_MESSAGE)
    .meta({ description: 'Номер лицевого счёта', example: '100001' }),
);

export const Kopecks = lazySchema(() => z.number().int().meta({ description: 'Сумма в копейках' }));
