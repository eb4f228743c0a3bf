import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { config, LOCAL_SECRET_DEFAULTS } from '#shared/config';
import { ENV } from '#shared/env';

/**
 * Keys the functions need, one Secrets Manager secret per purpose (JSON, fields named like the
 * variables below), so each function reads only the secrets of its group (shared/functions.ts
 * `readsSecrets`; the CDK stack grants exactly those and names each one's ARN in its variable).
 * They are read once per container, never placed in a Lambda's environment. Locally, the
 * variables themselves.
 *
 * `generated` fields are random and written once, when the secret has no value yet, by the stack's
 * create-only seeding (infra/constructs/portalSecrets.ts); no template edit can regenerate them.
 * The passport key above all: every stored passport hash depends on it. The others start empty
 * until the banks issue them, and an operator's values are never overwritten by a deploy.
 */
export const SECRETS = {
  passport: {
    arnVariable: ENV.passportSecretArn,
    description: 'Passport HMAC key (never change it: every stored passport hash depends on it)',
    generated: [ENV.passportKey],
    fields: [ENV.passportKey],
  },
  session: {
    arnVariable: ENV.sessionSecretArn,
    description: 'Session signing key (a new value logs everyone out)',
    generated: [ENV.sessionKey],
    fields: [ENV.sessionKey],
  },
  acquirer: {
    arnVariable: ENV.acquirerSecretArn,
    description: 'The acquiring bank (Sber): API login or token, callback key and public key',
    generated: [],
    fields: [ENV.sberCallbackSecret, ENV.sberCallbackPublicKey, ENV.sberUserName, ENV.sberPassword, ENV.sberToken],
  },
  banks: {
    arnVariable: ENV.bankSecretsArn,
    description: 'Request-signing keys of the banks that report payments by account number',
    generated: [],
    fields: [ENV.bankSecrets],
  },
  origin: {
    arnVariable: ENV.originSecretArn,
    description: 'The header CloudFront adds to API requests, so the API answers nobody who bypasses it',
    generated: [ENV.originSecret],
    fields: [ENV.originSecret],
  },
} as const satisfies Record<
  string,
  { arnVariable: string; description: string; generated: readonly string[]; fields: readonly string[] }
>;

export type SecretPurpose = keyof typeof SECRETS;
export const SECRET_PURPOSES = Object.keys(SECRETS) as SecretPurpose[];
export type SecretName = (typeof SECRETS)[SecretPurpose]['fields'][number];

const purposeOf = (name: SecretName): SecretPurpose =>
  SECRET_PURPOSES.find((p) => (SECRETS[p].fields as readonly string[]).includes(name)) as SecretPurpose;

const cached = new Map<SecretPurpose, Promise<Record<string, unknown>>>();

async function fetchSecretJson(secretId: string): Promise<Record<string, unknown>> {
  const client = new SecretsManagerClient({});
  try {
    const out = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    return out.SecretString ? (JSON.parse(out.SecretString) as Record<string, unknown>) : {};
  } catch (error) {
    // A secret the operator has not filled in yet (the banks' keys before the contract) has no
    // version: its fields are simply not set.
    if (error instanceof ResourceNotFoundException && /value|version|staging/i.test(error.message)) return {};
    throw error;
  } finally {
    client.destroy();
  }
}

/** The secret's value, or undefined when it is not set (empty counts as not set). */
export async function secretValue(name: SecretName): Promise<string | undefined> {
  if (config().runtime !== 'aws') {
    const local = process.env[name];
    return local ? local : undefined;
  }
  const purpose = purposeOf(name);
  const arn = process.env[SECRETS[purpose].arnVariable];
  if (!arn) throw new Error(`${SECRETS[purpose].arnVariable} is required to read ${name}`);
  let json = cached.get(purpose);
  if (!json) {
    json = fetchSecretJson(arn).catch((error: unknown) => {
      // A failed fetch (throttling, a cold network) must not poison the container: retry next call.
      cached.delete(purpose);
      throw error;
    });
    cached.set(purpose, json);
  }
  const value = (await json)[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The secret's value; in the local runtime, its documented default when the variable is not set. */
export async function secretOrLocalDefault(name: keyof typeof LOCAL_SECRET_DEFAULTS): Promise<string | undefined> {
  const value = await secretValue(name);
  if (value) return value;
  return config().runtime === 'local' ? LOCAL_SECRET_DEFAULTS[name] : undefined;
}

/** Forgets the fetched secrets, so the next read fetches them again (after a value proved unusable). */
export function forgetSecrets(): void {
  cached.clear();
}
