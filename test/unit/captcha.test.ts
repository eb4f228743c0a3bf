import { solveChallenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/pbkdf2';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CAPTCHA_COUNTER, createCaptcha, encodePayload, verifyCaptcha } from '#shared/accounts/captcha';
import { resetConfigForTests } from '#shared/config';

// The captcha's single-use record, in memory: these tests are about the proof of work, not DynamoDB.
const records = new Map<string, unknown>();
vi.mock('#shared/accounts/store', () => ({
  putCaptcha: async (id: string, record: unknown) => void records.set(id, record),
  takeCaptcha: async (id: string) => {
    const record = records.get(id);
    records.delete(id);
    return record;
  },
}));

const setEnv = (vars: Record<string, string | undefined>) => {
  for (const [name, value] of Object.entries(vars)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  resetConfigForTests();
};

describe('the ALTCHA captcha', () => {
  beforeEach(() => setEnv({ RAC_RUNTIME: 'local', RAC_TEST_MODE: '1', RAC_NOW: undefined }));
  afterEach(() => {
    records.clear();
    setEnv({ RAC_TEST_MODE: undefined, RAC_NOW: undefined });
  });

  it('is a proof-of-work challenge with nothing to read: no picture, no answer outside test mode', async () => {
    setEnv({ RAC_TEST_MODE: undefined });
    const captcha = await createCaptcha();
    expect(Object.keys(captcha).sort()).toEqual(['challenge', 'id']);
    expect(captcha.challenge.parameters).toMatchObject({ algorithm: 'PBKDF2/SHA-256', data: { id: captcha.id } });
    expect(JSON.stringify(captcha)).not.toMatch(/<svg|<path/);
  });

  it('takes the solved payload once; the same payload again is refused', async () => {
    const { id, answer } = await createCaptcha();
    expect(answer).toBeTruthy();
    await expect(verifyCaptcha(id, answer)).resolves.toBeUndefined();
    await expect(verifyCaptcha(id, answer)).rejects.toMatchObject({ code: 'invalid_captcha', status: 400 });
  });

  it('needs the work: only the counter found by trying thousands of keys passes, a guessed one does not', async () => {
    const { id, challenge } = await createCaptcha();
    const solved = await solveChallenge({ challenge, deriveKey });
    // The solver tries counters from 0: the challenge cost it at least this many PBKDF2 derivations.
    expect(solved?.counter).toBeGreaterThanOrEqual(CAPTCHA_COUNTER.min);
    const guessed = { counter: 0, derivedKey: String(challenge.parameters.keyPrefix).padEnd(64, '0') };
    const other = await createCaptcha();
    await expect(verifyCaptcha(other.id, encodePayload({ challenge, solution: guessed }))).rejects.toMatchObject({
      code: 'invalid_captcha',
    });
    await expect(verifyCaptcha(id, encodePayload({ challenge, solution: guessed }))).rejects.toMatchObject({
      code: 'invalid_captcha',
    });
  });

  it("refuses another challenge's payload, a tampered one, junk, and an expired captcha", async () => {
    const first = await createCaptcha();
    const second = await createCaptcha();
    await expect(verifyCaptcha(second.id, first.answer)).rejects.toMatchObject({ code: 'invalid_captcha' });

    const third = await createCaptcha();
    const payload = JSON.parse(Buffer.from(third.answer as string, 'base64').toString());
    payload.challenge.parameters.cost = 1;
    await expect(verifyCaptcha(third.id, encodePayload(payload))).rejects.toMatchObject({ code: 'invalid_captcha' });

    const fourth = await createCaptcha();
    await expect(verifyCaptcha(fourth.id, 'не base64 {')).rejects.toMatchObject({ code: 'invalid_captcha' });
    await expect(verifyCaptcha(undefined, fourth.answer)).rejects.toMatchObject({ code: 'invalid_captcha' });

    setEnv({ RAC_NOW: '2026-11-26T10:00:00+03:00' });
    const stale = await createCaptcha();
    setEnv({ RAC_NOW: '2026-11-26T10:05:01+03:00' });
    await expect(verifyCaptcha(stale.id, stale.answer)).rejects.toMatchObject({ code: 'invalid_captcha' });
  });
});
