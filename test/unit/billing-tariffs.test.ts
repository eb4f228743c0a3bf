import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { servicesWithTariff, type Tariff, tariffFor, tariffsInForce } from '#shared/billing/tariffs';

/** The tariff in force and the «Тарифы» page, whatever order the tariffs come in. */

const cold = (price: string, from: string): Tariff => ({ service: 'cold_water', unit: 'м³', price, norm: '3.8', from });
const HISTORY: Tariff[] = [cold('34.10', '2025-01'), cold('35.12', '2025-07'), cold('35.72', '2026-01')];
const WASTE: Tariff = { service: 'waste', unit: 'чел.', price: '145.05', norm: '1', from: '2026-01' };

const shuffled = <T>(items: readonly T[]) =>
  fc.shuffledSubarray(items as T[], { minLength: items.length, maxLength: items.length });

describe('tariff for a period', () => {
  it('does not depend on the order of the tariffs', () => {
    fc.assert(
      fc.property(shuffled(HISTORY), (tariffs) => {
        expect(tariffFor(tariffs, 'cold_water', '2024-12')).toBeUndefined();
        expect(tariffFor(tariffs, 'cold_water', '2025-03')?.price).toBe('34.10');
        expect(tariffFor(tariffs, 'cold_water', '2025-12')?.price).toBe('35.12');
        expect(tariffFor(tariffs, 'cold_water', '2027-04')?.price).toBe('35.72');
      }),
    );
  });

  it('lists only the services with a tariff already in force', () => {
    expect(servicesWithTariff([...HISTORY, WASTE], '2025-12')).toEqual(['cold_water']);
    expect(servicesWithTariff([...HISTORY, WASTE], '2026-01')).toEqual(['cold_water', 'waste']);
    expect(servicesWithTariff([WASTE], '2025-12')).toEqual([]);
  });
});

describe('the public page of tariffs', () => {
  it('shows each service’s tariff in force with its validity, and the next one announced', () => {
    fc.assert(
      fc.property(shuffled([...HISTORY, WASTE]), (tariffs) => {
        const { current, upcoming } = tariffsInForce(tariffs, '2025-07');
        expect(current).toEqual([
          { ...cold('35.12', '2025-07'), title: 'Холодное водоснабжение', basis: 'metered', until: '2025-12' },
        ]);
        expect(upcoming).toEqual([
          { ...cold('35.72', '2026-01'), title: 'Холодное водоснабжение', basis: 'metered', until: null },
          { ...WASTE, title: 'Обращение с ТКО', basis: 'resident', until: null },
        ]);
      }),
    );
  });

  it('announces nothing once the latest tariff is in force, and nothing for a service without tariffs', () => {
    const { current, upcoming } = tariffsInForce([...HISTORY, WASTE], '2026-01');
    expect(current.map((t) => [t.service, t.price, t.until])).toEqual([
      ['cold_water', '35.72', null],
      ['waste', '145.05', null],
    ]);
    expect(upcoming).toEqual([]);
  });

  it('before any tariff of a service, lists its first one as upcoming only', () => {
    const { current, upcoming } = tariffsInForce(HISTORY, '2024-11');
    expect(current).toEqual([]);
    expect(upcoming.map((t) => [t.price, t.from, t.until])).toEqual([['34.10', '2025-01', '2025-06']]);
  });
});
