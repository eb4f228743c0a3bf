import Decimal from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { keys, READING_SHARDS, shardOf } from '#shared/keys';
import { meterIdOf } from '#shared/readings/meterId';
import { monthsBetween, submissionPeriod } from '#shared/readings/period';
import {
  averageConsumption,
  checkReading,
  consumptionBetween,
  decimalsOf,
  formatDecimal,
  type MeterFacts,
  parseReadingValue,
} from '#shared/readings/rules';
import { evaluateSubmission } from '#shared/readings/submission';
import { moscowInstant } from '#shared/time';
import { windowStatus } from '#shared/window/readingWindow';

const TODAY = '2026-11-26';

const water = (over: Partial<MeterFacts> = {}): MeterFacts => ({
  service: 'cold_water',
  digits: 5,
  verifiedUntil: '2029-03-31',
  basis: '412.375',
  expected: '10',
  ...over,
});

const check = (raw: string, meter: MeterFacts = water(), confirm?: boolean) =>
  checkReading({ raw, meter, today: TODAY, confirm });

describe('reading a typed value', () => {
  it('takes "12,5" and "12.5" as the same value', () => {
    const comma = parseReadingValue('12,5', 'cold_water', 5);
    const point = parseReadingValue('12.5', 'cold_water', 5);
    expect(comma.ok && point.ok && comma.value.eq(point.value)).toBe(true);
  });

  it('accepts leading zeros as the counter shows them and spaces between digit groups', () => {
    const zeros = parseReadingValue('00412,4', 'cold_water', 5);
    expect(zeros.ok && zeros.value.toFixed()).toBe('412.4');
    const grouped = parseReadingValue(' 15 234,6 ', 'electricity', 6);
    expect(grouped.ok && grouped.value.toFixed()).toBe('15234.6');
  });

  it.each([
    ['-3', /отрицательным/],
    ['−3', /отрицательным/],
    ['1e9', /цифрами/],
    ['NaN', /цифрами/],
    ['Infinity', /цифрами/],
    ['12,', /цифрами/],
    [',5', /цифрами/],
    ['0x1A', /цифрами/],
    ['12,5,3', /цифрами/],
    ['', /Введите показание/],
    ['   ', /Введите показание/],
  ])('refuses %j with a Russian reason', (raw, reason) => {
    const parsed = parseReadingValue(raw, 'cold_water', 5);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toMatch(reason);
  });

  it('allows the service’s decimal places and no more (trailing zeros do not count)', () => {
    expect(parseReadingValue('1,123', 'cold_water', 5).ok).toBe(true);
    expect(parseReadingValue('1,1234', 'cold_water', 5).ok).toBe(false);
    expect(parseReadingValue('15234,6', 'electricity', 6).ok).toBe(true);
    expect(parseReadingValue('15234,60', 'electricity', 6).ok).toBe(true);
    const tooFine = parseReadingValue('15234,67', 'electricity', 6);
    expect(tooFine.ok).toBe(false);
    if (!tooFine.ok) expect(tooFine.message).toMatch(/одной цифры/);
  });

  it('refuses more digits than the counter has', () => {
    expect(parseReadingValue('99999,999', 'cold_water', 5).ok).toBe(true);
    const big = parseReadingValue('100000', 'cold_water', 5);
    expect(big.ok).toBe(false);
    if (!big.ok)
      expect(big.message).toBe('На счётчике 5 цифр до запятой: показание не может быть больше 99\u00a0999,999.');
    expect(parseReadingValue('000099999', 'cold_water', 5).ok).toBe(true);
  });

  it('has one place for electricity and three for water, gas and heat', () => {
    expect(['cold_water', 'hot_water', 'gas', 'heating'].map((s) => decimalsOf(s as never))).toEqual([3, 3, 3, 3]);
    expect(['electricity', 'electricity_day', 'electricity_night'].map((s) => decimalsOf(s as never))).toEqual([
      1, 1, 1,
    ]);
  });
});

describe('consumption', () => {
  it('is the difference, in decimals, never floats', () => {
    expect(consumptionBetween('0.1', '0.3', 5).consumption.toFixed()).toBe('0.2');
  });

  it('passes through 10^digits on a roll-over', () => {
    const { consumption, rollover } = consumptionBetween('99990.5', '12.25', 5);
    expect(rollover).toBe(true);
    expect(consumption.toFixed()).toBe('21.75');
  });

  it('averages up to the three most recent periods', () => {
    expect(averageConsumption(['3', '6', '9', '100'])?.toFixed()).toBe('6');
    expect(averageConsumption(['4'])?.toFixed()).toBe('4');
    expect(averageConsumption([])).toBeUndefined();
  });

  it('formats numbers the Russian way', () => {
    expect(formatDecimal('15234.6')).toBe('15\u00a0234,6');
    expect(formatDecimal(new Decimal('0.5'))).toBe('0,5');
    // A stored reading keeps its places: 640.580 is shown as the counter shows it.
    expect(formatDecimal('640.580')).toBe('640,580');
  });
});

describe('the rules of a reading', () => {
  it('accepts a plausible value, normalised to the service’s places, with its consumption', () => {
    const result = check('420,5');
    expect(result).toEqual({
      ok: true,
      reading: { value: '420.500', consumption: '8.125', rollover: false, unchanged: false },
    });
  });

  it('accepts the same value as the last one (zero consumption)', () => {
    const result = check('412,375');
    expect(result.ok && result.reading.consumption).toBe('0.000');
  });

  it('refuses a value below the last accepted one', () => {
    const result = check('400');
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.problem.code).toBe('reading_decreased');
      expect(result.problem.message).toContain('412,375');
    }
    // Even with a confirmation: a decrease that is no roll-over is never accepted.
    const confirmed = check('400', water(), true);
    expect(!confirmed.ok && confirmed.problem.code).toBe('reading_decreased');
  });

  it('asks to confirm a roll-over past the capacity and accepts it confirmed', () => {
    const meter = water({ basis: '99995.000' });
    const asked = check('3,5', meter);
    expect(asked.ok).toBe(false);
    if (!asked.ok) {
      expect(asked.problem).toMatchObject({ code: 'confirmation_required', reason: 'rollover' });
      expect(asked.problem.message).toContain('99\u00a0999');
      expect(asked.problem.message).toContain('8,5');
    }
    const confirmed = check('3,5', meter, true);
    expect(confirmed).toEqual({
      ok: true,
      reading: { value: '3.500', consumption: '8.500', rollover: true, unchanged: false },
    });
  });

  it('asks to confirm a value implying more than three times the usual consumption (a typo guard)', () => {
    // Usual 10 m³: 30 is fine, 30.001 is asked about.
    expect(check('442,375').ok).toBe(true);
    const typo = check('4123,75');
    expect(!typo.ok && typo.problem).toMatchObject({ code: 'confirmation_required', reason: 'large_consumption' });
    expect(check('4123,75', water(), true).ok).toBe(true);
    // Without an expectation there is no guard.
    expect(check('4123,75', water({ expected: undefined })).ok).toBe(true);
  });

  it('says how many times the usual consumption or the norm a suspicious value is, as a Russian text says it', () => {
    const typo = check('4123,75');
    expect(!typo.ok && typo.problem.message).toBe(
      'Расход 3\u00a0711,375 м³ — в\u00a0371\u00a0раз больше обычного (около 10 м³). ' +
        'Проверьте показание и подтвердите, если оно верное.',
    );
    // From the norm (no history yet): «норматива», to one decimal place below ten times.
    const norm = check('460', water({ expectedFrom: 'norm' }));
    expect(!norm.ok && norm.problem.message).toMatch(
      /^Расход 47,625 м³ — в\u00a04,8\u00a0раза больше норматива \(10 м³\)\. /,
    );
  });

  it('refuses a meter past its verification date, with advice, whatever the value', () => {
    const meter = water({ verifiedUntil: '2026-11-25' });
    const result = check('420', meter, true);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.problem.code).toBe('verification_expired');
      expect(result.problem.message).toMatch(/25\.11\.2026/);
      expect(result.problem.message).toMatch(/обратитесь в РАЦ/);
    }
    // The last day of the interval is still valid.
    expect(check('420', water({ verifiedUntil: TODAY })).ok).toBe(true);
  });

  it('refuses a reading taken before the meter was installed (meters import `installed`)', () => {
    const result = check('420', water({ installed: '2026-11-27' }), true);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.problem.code).toBe('invalid_reading');
      expect(result.problem.message).toMatch(/введён в эксплуатацию 27\.11\.2026/);
    }
    // The day of installation itself is fine.
    expect(check('420', water({ installed: TODAY })).ok).toBe(true);
  });

  it('marks a resubmission of the same value as unchanged, however it is written', () => {
    const result = check('420,50', water({ current: '420.500' }));
    expect(result.ok && result.reading.unchanged).toBe(true);
    const other = check('421', water({ current: '420.500' }));
    expect(other.ok && other.reading.unchanged).toBe(false);
  });
});

describe('a submission as a whole', () => {
  const meters = new Map<string, MeterFacts>([
    ['cold', water()],
    ['hot', water({ service: 'hot_water', basis: '287.104' })],
    ['old', water({ verifiedUntil: '2025-09-30' })],
  ]);

  it('accepts every value or names every meter at fault', () => {
    expect(
      evaluateSubmission(
        [
          { meterId: 'cold', value: '415' },
          { meterId: 'hot', value: '290,1' },
        ],
        meters,
        TODAY,
      ).map((a) => a.reading.value),
    ).toEqual(['415.000', '290.100']);

    try {
      evaluateSubmission(
        [
          { meterId: 'cold', value: '415' },
          { meterId: 'hot', value: '1' },
          { meterId: 'someone-else', value: '1' },
        ],
        meters,
        TODAY,
      );
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ status: 422, code: 'readings_rejected' });
      expect(Object.keys((error as { fields: object }).fields).sort()).toEqual(['hot', 'someone-else']);
    }
  });

  it('uses the contract’s code and the meter’s own message for a single problem', () => {
    expect(() => evaluateSubmission([{ meterId: 'old', value: '500' }], meters, TODAY)).toThrow(
      expect.objectContaining({
        status: 422,
        code: 'verification_expired',
        message: expect.stringMatching(/30\.09\.2025/),
      }),
    );
    expect(() => evaluateSubmission([{ meterId: 'cold', value: '-3' }], meters, TODAY)).toThrow(
      expect.objectContaining({ status: 400, code: 'invalid_input', fields: { cold: expect.any(String) } }),
    );
  });

  it('asks for confirmations only when nothing is refused outright', () => {
    try {
      evaluateSubmission(
        [
          { meterId: 'cold', value: '9000' },
          { meterId: 'hot', value: '100' },
        ],
        meters,
        TODAY,
      );
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ code: 'reading_decreased', fields: { hot: expect.any(String) } });
      expect((error as { fields: object }).fields).not.toHaveProperty('cold');
    }
    expect(() => evaluateSubmission([{ meterId: 'cold', value: '9000' }], meters, TODAY)).toThrow(
      expect.objectContaining({
        code: 'confirmation_required',
        fields: { cold: expect.stringMatching(/подтвердите/) },
      }),
    );
  });
});

describe('the period of a window', () => {
  const days = { openDay: 25, closeDay: 1 };

  it('is the month the window opened in: the window from 25 November is November’s', () => {
    const at = moscowInstant(2026, 11, 28, 21, 0);
    const status = windowStatus(at, days);
    expect(status.open).toBe(true);
    expect(submissionPeriod(status)).toBe('2026-11');
  });

  it('is still that month after the new year when the window closes on a later day', () => {
    const at = moscowInstant(2027, 1, 2, 12, 0);
    const status = windowStatus(at, { openDay: 25, closeDay: 3 });
    expect(status.open).toBe(true);
    expect(submissionPeriod(status)).toBe('2026-12');
  });

  it('is the next window’s month while closed, and the operator’s early opening keeps the month', () => {
    const closed = windowStatus(moscowInstant(2026, 11, 10), days);
    expect(closed.open).toBe(false);
    expect(submissionPeriod(closed)).toBe('2026-11');
    const early = windowStatus(moscowInstant(2026, 11, 20), days, {
      open: true,
      changedAt: moscowInstant(2026, 11, 20).toISOString(),
      source: 'operator',
    });
    expect(early.open).toBe(true);
    expect(submissionPeriod(early)).toBe('2026-11');
  });

  it('counts months between periods', () => {
    expect(monthsBetween('2026-09', '2026-11')).toBe(2);
    expect(monthsBetween('2025-12', '2026-01')).toBe(1);
  });
});

describe('keys and ids', () => {
  it('gives a URL-safe, stable meter id for any serial', () => {
    for (const serial of ['21034567', '45012388-T2', 'СГК 4/12.1']) {
      const id = meterIdOf(serial);
      expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(meterIdOf(serial)).toBe(id);
      expect(Buffer.from(id, 'base64url').toString('utf8')).toBe(serial);
    }
  });

  it('spreads a period’s readings over the export shards, each account in one shard', () => {
    const shards = new Set(Array.from({ length: 2000 }, (_, i) => shardOf(String(100000 + i), READING_SHARDS)));
    expect(shards.size).toBe(READING_SHARDS);
    expect(keys.readingsOfPeriod('2026-11', '100001', 'X').gsi1pk).toBe(
      keys.readingsOfPeriod('2026-11', '100001', 'Y').gsi1pk,
    );
    expect(keys.readingsOfPeriodShards('2026-11')).toContain(keys.readingsOfPeriod('2026-11', '100001', 'X').gsi1pk);
  });
});
