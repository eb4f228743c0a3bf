import * as z from 'zod';
import { ENV } from '#shared/env';
import type { SecretName } from '#shared/secrets';

/** The banks' request-signing keys in the local runtime (the tests and the bench sign with them). */
export const LOCAL_BANK_KEYS: Readonly<Record<string, string>> = { sberbank: 'rac-sandbox-bank-secret' };

/**
 * Documented values of the local runtime, so `npm start` needs no setup, demo data hashes the same
 * on every machine and the sandbox bank and our checks agree. Never used deployed: there every key
 * comes from Secrets Manager, and a missing one is a configuration error.
 */
export const LOCAL_SECRET_DEFAULTS = {
  [ENV.passportKey]: 'rac-local-development-passport-key-not-a-secret',
  [ENV.sessionKey]: 'rac-local-development-session-key-not-a-secret',
  [ENV.sberCallbackSecret]: 'rac-sandbox-callback-secret',
  [ENV.sberUserName]: 'rac-sandbox-api',
  [ENV.sberPassword]: 'rac-sandbox-password',
  [ENV.bankSecrets]: JSON.stringify(LOCAL_BANK_KEYS),
} as const satisfies Partial<Record<SecretName, string>>;

const dayOfMonth = z.coerce.number().int().min(1).max(28);

const ConfigSchema = z
  .object({
    runtime: z.enum(['local', 'aws']).default('local'),
    table: z.string().min(1).default('rac-main'),
    dynamoEndpoint: z.url().optional(),
    sesEndpoint: z.url().optional(),
    mailFrom: z.email().default('noreply@rac-oskol.ru'),
    sesConfigSetTransactional: z.string().min(1).optional(),
    sesConfigSetBulk: z.string().min(1).optional(),
    /** SES's default send rate out of the sandbox is 14 mails a second per account. */
    sesSendRate: z.coerce.number().positive().max(1000).default(14),
    supportEmail: z.email().default('support@rac-oskol.ru'),
    smsOriginationIdentity: z.string().min(1).optional(),
    smsConfigurationSet: z.string().min(1).optional(),
    publicUrl: z.url().default('http://localhost:3000'),
    now: z.iso.datetime({ offset: true }).optional(),
    testMode: z
      .enum(['0', '1'])
      .default('0')
      .transform((v) => v === '1'),
    sberGatewayUrl: z.url().optional(),
    /** The bucket of printed ЕПД files (AWS only; locally they are kept in the data folder). */
    epdBucket: z.string().min(1).optional(),
    windowOpenDay: dayOfMonth.default(25),
    windowCloseDay: dayOfMonth.default(1),
  })
  .refine((c) => !c.testMode || c.runtime === 'local', {
    message: `${ENV.testMode}=1 is allowed only in the local runtime`,
    path: ['testMode'],
  })
  // A pinned clock deployed would date readings, payments and bills wrongly and let whoever sets
  // it reopen a closed window: it exists for demos and tests of the local runtime only.
  .refine((c) => !c.now || c.runtime === 'local', {
    message: `${ENV.now} is allowed only in the local runtime`,
    path: ['now'],
  });

export type Config = z.infer<typeof ConfigSchema>;

/** Reads and validates the environment; throws with every problem listed. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const raw = Object.fromEntries(
    Object.entries(ENV).map(([key, name]) => [key, env[name] === '' ? undefined : env[name]]),
  );
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration: ${problems.join('; ')}`);
  }
  return parsed.data;
}

let cached: Config | undefined;

/** The configuration of this process, read and validated once (at cold start in Lambda). */
export function config(): Config {
  cached ??= loadConfig();
  return cached;
}

/** Tests change the environment between cases; this forgets the cached copy. */
export function resetConfigForTests(): void {
  cached = undefined;
}
