import { regexes } from 'zod/v4/core';
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

/**
 * The environment, checked by hand rather than by a zod schema: every function reads it on its first
 * request, and building a schema of this size costs more than the checks themselves (issue 13). The
 * messages are zod's Russian ones (shared/api/schemas.ts sets that locale), so a wrong variable reads
 * as it did.
 */
export interface Config {
  runtime: 'local' | 'aws';
  table: string;
  dynamoEndpoint?: string | undefined;
  sesEndpoint?: string | undefined;
  mailFrom: string;
  sesConfigSetTransactional?: string | undefined;
  sesConfigSetBulk?: string | undefined;
  /** SES's default send rate out of the sandbox is 14 mails a second per account. */
  sesSendRate: number;
  supportEmail: string;
  smsOriginationIdentity?: string | undefined;
  smsConfigurationSet?: string | undefined;
  publicUrl: string;
  now?: string | undefined;
  testMode: boolean;
  sberGatewayUrl?: string | undefined;
  /** The bucket of printed ЕПД files (AWS only; locally they are kept in the data folder). */
  epdBucket?: string | undefined;
  windowOpenDay: number;
  windowCloseDay: number;
}

type Raw = Partial<Record<keyof typeof ENV, string>>;
type Check<T> = (value: string) => T | { problem: string };

// zod's own patterns (its e-mail and ISO date-time with an offset), so the same values pass.
const EMAIL = regexes.email;
const DATETIME_WITH_OFFSET = regexes.datetime({ offset: true, local: false, precision: null });

const oneOf =
  <T extends string>(...values: T[]): Check<T> =>
  (value) =>
    (values as string[]).includes(value)
      ? (value as T)
      : { problem: `Неверный вариант: ожидалось одно из ${values.map((v) => `"${v}"`).join('|')}` };
const text: Check<string> = (value) => value;
const url: Check<string> = (value) => (URL.canParse(value.trim()) ? value : { problem: 'Неверный URL' });
const email: Check<string> = (value) => (EMAIL.test(value) ? value : { problem: 'Неверный email адрес' });
const isoDateTime: Check<string> = (value) =>
  DATETIME_WITH_OFFSET.test(value) ? value : { problem: 'Неверный ISO дата и время' };
const number =
  (test: (n: number) => string | undefined, integer = false): Check<number> =>
  (value) => {
    const n = Number(value);
    if (!Number.isFinite(n)) return { problem: `Неверный ввод: ожидалось число, получено ${n}` };
    if (integer && !Number.isInteger(n)) return { problem: 'Неверный ввод: ожидалось int, получено число' };
    const problem = test(n);
    return problem ? { problem } : n;
  };
const tooSmall = (bound: string) => `Слишком маленькое значение: ожидалось, что number будет ${bound}`;
const tooBig = (bound: string) => `Слишком большое значение: ожидалось, что number будет ${bound}`;
const dayOfMonth = number((n) => (n < 1 ? tooSmall('>=1') : n > 28 ? tooBig('<=28') : undefined), true);
const sendRate = number((n) => (n <= 0 ? tooSmall('>0') : n > 1000 ? tooBig('<=1000') : undefined));

/** Reads and validates the environment; throws with every problem listed. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const raw: Raw = Object.fromEntries(
    Object.entries(ENV).map(([key, name]) => [key, env[name] === '' ? undefined : env[name]]),
  );
  const problems: string[] = [];
  function read<T>(key: keyof Config & keyof Raw, check: Check<T>): T | undefined;
  function read<T>(key: keyof Config & keyof Raw, check: Check<T>, fallback: string): T;
  function read<T>(key: keyof Config & keyof Raw, check: Check<T>, fallback?: string): T | undefined {
    const value = raw[key] ?? fallback;
    if (value === undefined) return undefined;
    const result = check(value);
    if (typeof result === 'object' && result !== null && 'problem' in result) {
      problems.push(`${key}: ${result.problem}`);
      return undefined;
    }
    return result;
  }
  const config: Config = {
    runtime: read('runtime', oneOf('local', 'aws'), 'local'),
    table: read('table', text, 'rac-main'),
    dynamoEndpoint: read('dynamoEndpoint', url),
    sesEndpoint: read('sesEndpoint', url),
    mailFrom: read('mailFrom', email, 'noreply@rac-oskol.ru'),
    sesConfigSetTransactional: read('sesConfigSetTransactional', text),
    sesConfigSetBulk: read('sesConfigSetBulk', text),
    sesSendRate: read('sesSendRate', sendRate, '14'),
    supportEmail: read('supportEmail', email, 'support@rac-oskol.ru'),
    smsOriginationIdentity: read('smsOriginationIdentity', text),
    smsConfigurationSet: read('smsConfigurationSet', text),
    publicUrl: read('publicUrl', url, 'http://localhost:3000'),
    now: read('now', isoDateTime),
    testMode: read('testMode', oneOf('0', '1'), '0') === '1',
    sberGatewayUrl: read('sberGatewayUrl', url),
    epdBucket: read('epdBucket', text),
    windowOpenDay: read('windowOpenDay', dayOfMonth, '25'),
    windowCloseDay: read('windowCloseDay', dayOfMonth, '1'),
  };
  if (problems.length === 0) {
    if (config.testMode && config.runtime !== 'local') {
      problems.push(`testMode: ${ENV.testMode}=1 is allowed only in the local runtime`);
    }
    // A pinned clock deployed would date readings, payments and bills wrongly and let whoever sets
    // it reopen a closed window: it exists for demos and tests of the local runtime only.
    if (config.now && config.runtime !== 'local') problems.push(`now: ${ENV.now} is allowed only in the local runtime`);
  }
  if (problems.length > 0) throw new Error(`Invalid configuration: ${problems.join('; ')}`);
  // Absent optional values are left out, as the schema left them.
  for (const key of Object.keys(config) as (keyof Config)[]) if (config[key] === undefined) delete config[key];
  return config;
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
