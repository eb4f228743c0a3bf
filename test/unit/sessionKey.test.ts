import { hkdfSync } from 'node:crypto';
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

  it('deployed without its own key, is derived from the master key and differs from it', async () => {
    vi.stubEnv('RAC_RUNTIME', 'aws');
    vi.stubEnv('RAC_SECRETS_ARN', ARN);
    secrets.values = { RAC_PASSPORT_KEY: MASTER };
    const key = Buffer.from(await sessionSigningKey());
    expect(key).toEqual(Buffer.from(hkdfSync('sha256', MASTER, 'rac-portal', 'session-signing-v1', 32)));
    expect(key.toString('latin1')).not.toContain('mmmmmmmm');
  });

  it('deployed with RAC_SESSION_KEY set, uses it; locally falls back to the development key', async () => {
    vi.stubEnv('RAC_RUNTIME', 'aws');
    vi.stubEnv('RAC_SECRETS_ARN', ARN);
    secrets.values = { RAC_PASSPORT_KEY: MASTER, RAC_SESSION_KEY: 's'.repeat(40) };
    expect(Buffer.from(await sessionSigningKey()).toString()).toBe('s'.repeat(40));
    resetSessionKeyForTests();
    resetConfigForTests();
    vi.stubEnv('RAC_RUNTIME', 'local');
    secrets.values = {};
    expect(Buffer.from(await sessionSigningKey()).toString()).toBe(LOCAL_DEVELOPMENT_SESSION_KEY);
  });
});
