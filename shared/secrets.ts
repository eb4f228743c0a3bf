import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { config, LOCAL_SECRET_DEFAULTS } from '#shared/config';
import { ENV } from '#shared/env';

/**
 * Keys the functions need. Deployed, they live in one Secrets Manager secret (JSON at
 * RAC_SECRETS_ARN, fields named like the variables below, created by the CDK stack) and are read
 * once per container, never placed in a Lambda's environment. Locally, the variables themselves.
 */
export type SecretName =
  | typeof ENV.passportKey
  | typeof ENV.sessionKey
  | typeof ENV.sberCallbackSecret
  | typeof ENV.sberUserName
  | typeof ENV.sberPassword
  | typeof ENV.sberToken
  | typeof ENV.bankSecrets;

let cached: Promise<Record<string, unknown>> | undefined;

async function fetchSecretJson(secretId: string): Promise<Record<string, unknown>> {
  const client = new SecretsManagerClient({});
  try {
    const out = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    return out.SecretString ? (JSON.parse(out.SecretString) as Record<string, unknown>) : {};
  } finally {
    client.destroy();
  }
}

/** The secret's value, or undefined when it is not set (empty counts as not set). */
export async function secretValue(name: SecretName): Promise<string | undefined> {
  const { runtime, secretsArn } = config();
  if (runtime !== 'aws') {
    const local = process.env[name];
    return local ? local : undefined;
  }
  if (!secretsArn) throw new Error(`${ENV.secretsArn} is required to read ${name}`);
  cached ??= fetchSecretJson(secretsArn).catch((error: unknown) => {
    // A failed fetch (throttling, a cold network) must not poison the container: retry next call.
    cached = undefined;
    throw error;
  });
  const value = (await cached)[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The secret's value; in the local runtime, its documented default when the variable is not set. */
export async function secretOrLocalDefault(name: keyof typeof LOCAL_SECRET_DEFAULTS): Promise<string | undefined> {
  const value = await secretValue(name);
  if (value) return value;
  return config().runtime === 'local' ? LOCAL_SECRET_DEFAULTS[name] : undefined;
}

/** Forgets the fetched secret, so the next read fetches it again (after a value proved unusable). */
export function forgetSecrets(): void {
  cached = undefined;
}
