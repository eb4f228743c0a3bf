import { describe, expect, it } from 'vitest';
import {
  amountError,
  isFinalState,
  kopecksToInput,
  parseRoublesInput,
  prefilledAmount,
  splitRows,
  splitTotal,
} from '../../web/src/paymentForm';

describe('the payment form', () => {
  it('reads roubles as residents type them, in whole kopecks', () => {
    expect(parseRoublesInput('2543,00')).toBe(254_300);
    expect(parseRoublesInput('1 234,5')).toBe(123_450);
    expect(parseRoublesInput('1\u00a0234.56 ₽')).toBe(123_456);
    expect(parseRoublesInput('0,1')).toBe(10);
    expect(parseRoublesInput('1500')).toBe(150_000);
    // 0.29 * 100 is 28.999999999999996 in binary floating point; strings do not drift.
    expect(parseRoublesInput('0,29')).toBe(29);
    for (const bad of ['', '12,345', '-5', '1e3', 'сто', '1,2,3', '1234567890']) {
      expect(parseRoublesInput(bad), bad).toBeUndefined();
    }
  });

  it('writes kopecks back for editing', () => {
    expect(kopecksToInput(254_300)).toBe('2543,00');
    expect(kopecksToInput(5)).toBe('0,05');
  });

  it('says what is wrong with an amount, in Russian', () => {
    expect(amountError('')).toBe('Укажите сумму');
    expect(amountError('abc')).toMatch(/например/);
    expect(amountError('0')).toMatch(/больше нуля/);
    expect(amountError('500000,01')).toMatch(/500 000/);
    expect(amountError('500000')).toBeUndefined();
  });

  it('prefills the debt and offers the services owed for a split', () => {
    expect(prefilledAmount(254_300)).toBe('2543,00');
    expect(prefilledAmount(0)).toBe('');
    expect(prefilledAmount(-100)).toBe('');
    const rows = splitRows([
      { service: 'cold_water', balance: 100_000 },
      { service: 'gas', balance: -500 },
      { service: 'advance', balance: 300 },
      { service: 'waste', balance: 20_050 },
    ]);
    expect(rows).toEqual([
      { service: 'cold_water', value: '1000,00' },
      { service: 'waste', value: '200,50' },
    ]);
    expect(splitTotal(rows)).toBe(120_050);
    expect(splitTotal([{ value: '1' }, { value: '' }])).toBe(100);
    expect(splitTotal([{ value: 'x' }])).toBeUndefined();
  });

  it('stops waiting once the payment is settled or held for review', () => {
    expect(isFinalState('pending')).toBe(false);
    expect(isFinalState('created')).toBe(false);
    for (const state of ['succeeded', 'failed', 'expired', 'refunded', 'review'])
      expect(isFinalState(state)).toBe(true);
  });
});
