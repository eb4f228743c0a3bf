import { afterEach, describe, expect, it, vi } from 'vitest';

const secrets = vi.hoisted(() => ({ values: {} as Record<string, string | undefined> }));
vi.mock('#shared/secrets', () => ({
  secretValue: async (name: string) => secrets.values[name],
  forgetSecrets: () => undefined,
}));

const { resetConfigForTests } = await import('#shared/config');
const { LOCAL_DEVELOPMENT_SESSION_KEY, resetSessionKeyForTests, sessionSigningKey } = await import(
  '#shared/accounts/sessions'
);

const MASTER = 'm'.repeat(64);
const ARN = 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:rac';

describe('the session signing key', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    resetConfigForTests();
    resetSessionKeyForTests();
  });

  it('deployed without its own key, refuses to sign rather than fall back on the passport key', async () => {
    vi.stubEnv('RAC_RUNTIME', 'aws');
    vi.stubEnv('RAC_SESSION_SECRET_ARN', ARN);
    secrets.values = { RAC_PASSPORT_KEY: MASTER };
    await expect(sessionSigningKey()).rejects.toThrow(/RAC_SESSION_KEY/);
    secrets.values = { RAC_PASSPORT_KEY: MASTER, RAC_SESSION_KEY: 'short' };
    await expect(sessionSigningKey()).rejects.toThrow(/RAC_SESSION_KEY/);
  });

  it('deployed with RAC_SESSION_KEY set, uses it; locally falls back to the development key', async () => {
    vi.stubEnv('RAC_RUNTIME', 'aws');
    vi.stubEnv('RAC_SESSION_SECRET_ARN', ARN);
    secrets.values = { RAC_PASSPORT_KEY: MASTER, RAC_SESSION_KEY: 's'.repeat(40) };
    expect(Buffer.from(await sessionSigningKey()).toString()).toBe('s'.repeat(40));
    resetSessionKeyForTests();
    resetConfigForTests();
    vi.stubEnv('RAC_RUNTIME', 'local');
    secrets.values = {};
    expect(Buffer.from(await sessionSigningKey()).toString()).toBe(LOCAL_DEVELOPMENT_SESSION_KEY);
  });
});
