import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { resetConfigForTests } from '#shared/config';
import {
  hashNormalisedPassport,
  InvalidPassportError,
  LOCAL_DEVELOPMENT_PASSPORT_KEY,
  normalisePassport,
  passportHash,
  passportKey,
  passportMatches,
  resetPassportKeyForTests,
} from '#shared/passport';

const secrets = vi.hoisted(() => ({ send: vi.fn(), destroy: vi.fn() }));

vi.mock('@aws-sdk/client-secrets-manager', () => ({
  SecretsManagerClient: class {
    send = secrets.send;
    destroy = secrets.destroy;
  },
  GetSecretValueCommand: class {
    constructor(readonly input: unknown) {}
  },
}));

const KEY = Buffer.from('a-test-key-of-at-least-thirty-two-bytes!', 'utf8');
const OTHER_KEY = Buffer.from('another-test-key-of-thirty-two-bytes!!!', 'utf8');

describe('normalisePassport', () => {
  it.each([
    ['14 05 123456'],
    ['1405 123456'],
    ['1405123456'],
    ['14-05 123456'],
    ['14 05 № 123456'],
    [' 1405\u00a0123456 '],
    ['14.05.123456'],
  ])('reads %j as the 10 digits of series and number', (input) => {
    expect(normalisePassport(input)).toBe('1405123456');
  });

  it.each([
    ['a number of 9 digits', '1405 12345'],
    ['11 digits', '1405 1234567'],
    ['a letter among the digits', '14O5 123456'],
    ['an empty value', ''],
    ['a foreign passport', 'AB 1234567'],
  ])('refuses %s', (_, input) => {
    expect(normalisePassport(input)).toBeUndefined();
  });
});

describe('passport hash', () => {
  it('is HMAC-SHA256 in hex of the normalised digits', () => {
    const expected = createHmac('sha256', KEY).update('1405123456').digest('hex');
    expect(hashNormalisedPassport('1405123456', KEY)).toBe(expected);
    expect(expected).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is the same however the passport was spaced', async () => {
    const a = await passportHash('14 05 123456', KEY);
    const b = await passportHash('1405123456', KEY);
    const c = await passportHash('1405-123456', KEY);
    expect(a).toBe(b);
    expect(b).toBe(c);
  });

  it('differs with another key and with another passport', async () => {
    const base = await passportHash('1405 123456', KEY);
    expect(await passportHash('1405 123456', OTHER_KEY)).not.toBe(base);
    expect(await passportHash('1405 123457', KEY)).not.toBe(base);
  });

  it('never contains the passport digits', async () => {
    const hash = await passportHash('1405 123456', KEY);
    expect(hash).not.toContain('1405123456');
    expect(hash).not.toContain('123456');
  });

  it('refuses a malformed passport without echoing it', async () => {
    const attempt = passportHash('1405 99999', KEY);
    await expect(attempt).rejects.toBeInstanceOf(InvalidPassportError);
    await expect(attempt).rejects.not.toThrow(/99999/);
  });
});

describe('passportMatches', () => {
  it('matches the same passport typed differently', async () => {
    const stored = await passportHash('1405 123456', KEY);
    expect(await passportMatches(stored, '14 05 123456', KEY)).toBe(true);
  });

  it('does not match another passport, a malformed one or a malformed hash', async () => {
    const stored = await passportHash('1405 123456', KEY);
    expect(await passportMatches(stored, '1405 654321', KEY)).toBe(false);
    expect(await passportMatches(stored, '1405', KEY)).toBe(false);
    expect(await passportMatches('not-a-hash', '1405 123456', KEY)).toBe(false);
    expect(await passportMatches(stored.slice(0, 62), '1405 123456', KEY)).toBe(false);
  });

  it('does not match under another key', async () => {
    const stored = await passportHash('1405 123456', KEY);
    expect(await passportMatches(stored, '1405 123456', OTHER_KEY)).toBe(false);
  });
});

describe('passportKey', () => {
  beforeEach(() => {
    vi.unstubAllEnvs();
    secrets.send.mockReset();
    resetConfigForTests();
    resetPassportKeyForTests();
  });
  afterEach(() => {
    vi.unstubAllEnvs();
    resetConfigForTests();
    resetPassportKeyForTests();
  });

  it('locally falls back to the documented development key', async () => {
    vi.stubEnv('RAC_RUNTIME', 'local');
    vi.stubEnv('RAC_PASSPORT_KEY', '');
    expect((await passportKey()).toString('utf8')).toBe(LOCAL_DEVELOPMENT_PASSPORT_KEY);
  });

  it('locally takes RAC_PASSPORT_KEY when it is set', async () => {
    vi.stubEnv('RAC_RUNTIME', 'local');
    vi.stubEnv('RAC_PASSPORT_KEY', 'key-from-the-environment');
    expect((await passportKey()).toString('utf8')).toBe('key-from-the-environment');
    // The key is used by the hash helpers when none is passed.
    expect(await passportHash('1405123456')).toBe(
      hashNormalisedPassport('1405123456', Buffer.from('key-from-the-environment')),
    );
  });

  it('deployed, reads the secret once and ignores the environment', async () => {
    vi.stubEnv('RAC_RUNTIME', 'aws');
    vi.stubEnv('RAC_PASSPORT_SECRET_ARN', 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:rac');
    vi.stubEnv('RAC_PASSPORT_KEY', 'must-not-be-used');
    secrets.send.mockResolvedValue({ SecretString: JSON.stringify({ RAC_PASSPORT_KEY: KEY.toString('utf8') }) });
    expect(await passportKey()).toEqual(KEY);
    expect(await passportKey()).toEqual(KEY);
    expect(secrets.send).toHaveBeenCalledTimes(1);
    expect(secrets.send.mock.calls[0]?.[0]).toMatchObject({
      input: { SecretId: 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:rac' },
    });
  });

  it('deployed, refuses a missing or short key and retries on the next call', async () => {
    vi.stubEnv('RAC_RUNTIME', 'aws');
    vi.stubEnv('RAC_PASSPORT_SECRET_ARN', 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:rac');
    secrets.send.mockResolvedValueOnce({ SecretString: JSON.stringify({ RAC_PASSPORT_KEY: 'short' }) });
    await expect(passportKey()).rejects.toThrow(/RAC_PASSPORT_KEY/);
    secrets.send.mockResolvedValueOnce({ SecretString: JSON.stringify({ RAC_PASSPORT_KEY: KEY.toString('utf8') }) });
    expect(await passportKey()).toEqual(KEY);
  });
});
