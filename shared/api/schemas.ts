import * as z from 'zod/mini';
// Only the Russian locale: `z.locales` would pull every language into each bundle.
import ru from 'zod/v4/locales/ru.js';
import { lazySchema } from '#shared/api/lazySchema';
import { ACCOUNT_NUMBER, ACCOUNT_NUMBER_MESSAGE } from '#shared/format';

/**
 * Request and response schemas of the HTTP API. They validate requests in the handlers, type the
 * web client, and generate the OpenAPI document: one definition for all three.
 */
// `jitless`: classic zod compiles each object schema's parser with `new Function` at its first
// parse (and probes once whether it may), which a cold request pays for every body it validates
// (~0.5 ms, measured in bench/coldProfile.ts) to save ~1 µs on each later parse. zod/mini's objects
// never compile; the setting stays so a classic object schema, should one come back, does not either.
z.config({ ...ru(), jitless: true });

export const ErrorResponse = /* @__PURE__ */ lazySchema(() =>
  z
    .object({
      error: z.object({
        code: z.string().check(z.meta({ description: 'Машиночитаемый код ошибки, snake_case' })),
        message: z.string().check(z.meta({ description: 'Сообщение для жителя, по-русски' })),
        fields: z.optional(z.record(z.string(), z.string())),
      }),
    })
    .check(z.meta({ id: 'Error' })),
);

export const HealthResponse = /* @__PURE__ */ lazySchema(() =>
  z.object({ status: z.literal('ok') }).check(z.meta({ id: 'Health' })),
);
export type HealthResponse = z.infer<typeof HealthResponse>;

export const OpenApiResponse = /* @__PURE__ */ lazySchema(() =>
  z
    .looseObject({ openapi: z.string(), info: z.object({ title: z.string(), version: z.string() }) })
    .check(z.meta({ id: 'OpenApiDocument' })),
);

export const Period = /* @__PURE__ */ lazySchema(() =>
  z
    .string()
    .check(
      z.regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'Период в формате ГГГГ-ММ'),
      z.meta({ description: 'Расчётный период ГГГГ-ММ (Europe/Moscow)', example: '2026-10' }),
    ),
);

export const AccountNumber = /* @__PURE__ */ lazySchema(() =>
  z
    .string()
    .check(
      z.regex(ACCOUNT_NUMBER, ACCOUNT_NUMBER_MESSAGE),
      z.meta({ description: 'Номер лицевого счёта', example: '100001' }),
    ),
);

export const Kopecks = /* @__PURE__ */ lazySchema(() =>
  z.number().check(z.int(), z.meta({ description: 'Сумма в копейках' })),
);
