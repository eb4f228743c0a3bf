import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { paceSend, resetMailForTests } from '#shared/clients/mail';
import { resetConfigForTests } from '#shared/config';
import { ENV } from '#shared/env';

/** SES refuses sends over the account's rate; the mail client paces them (a token bucket). */
describe('SES send pacing', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    process.env[ENV.sesSendRate] = '10';
    resetConfigForTests();
    resetMailForTests();
  });
  afterEach(() => {
    vi.useRealTimers();
    delete process.env[ENV.sesSendRate];
    resetConfigForTests();
    resetMailForTests();
  });

  it('lets a second’s worth through at once, then one per 1/rate seconds', async () => {
    const released: number[] = [];
    const sends = Array.from({ length: 13 }, (_, i) => paceSend().then(() => released.push(i)));
    await vi.advanceTimersByTimeAsync(0);
    expect(released).toHaveLength(10);
    await vi.advanceTimersByTimeAsync(100);
    expect(released).toHaveLength(11);
    await vi.advanceTimersByTimeAsync(200);
    expect(released).toHaveLength(13);
    await Promise.all(sends);
  });

  it('refills while idle, up to one second’s worth', async () => {
    for (let i = 0; i < 10; i++) await paceSend();
    await vi.advanceTimersByTimeAsync(5000);
    const released: number[] = [];
    const sends = Array.from({ length: 11 }, (_, i) => paceSend().then(() => released.push(i)));
    await vi.advanceTimersByTimeAsync(0);
    expect(released).toHaveLength(10);
    await vi.advanceTimersByTimeAsync(100);
    await Promise.all(sends);
    expect(released).toHaveLength(11);
  });
});
