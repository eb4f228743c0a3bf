import { SERVICE_IDS, type ServiceId, serviceById } from '#shared/registry/services';
import { addMonths } from '#shared/time';

/** A service's tariff from a period on: what billing, the ЕПД, the readings' norm and the «Тарифы» page use. */
export interface Tariff {
  service: ServiceId;
  unit: string;
  /** Roubles per unit, decimal string: regulated tariffs may carry fractions of a kopeck. */
  price: string;
  /** Per resident per month (metered, resident services) or per m² (area services), decimal string. */
  norm: string;
  /** First period it applies to, `YYYY-MM`. */
  from: string;
  /** Increasing coefficient of ПП РФ № 354 for an unmetered service, decimal string. */
  coefficient?: string;
}

/**
 * A tariff as stored (keys.tariff: `pk TARIFF`, `sk <service>#<from>`), written by the registry
 * import (shared/registry/repository.ts) and read back as a Tariff (loadTariffs).
 */
export interface TariffItem extends Tariff {
  pk: string;
  sk: string;
  entity: 'tariff';
  updatedAt: string;
}

/** The tariff of a service for a period: the one with the latest `from` not after the period. */
export function tariffFor(tariffs: readonly Tariff[], service: ServiceId, period: string): Tariff | undefined {
  let found: Tariff | undefined;
  for (const t of tariffs) {
    if (t.service !== service || t.from > period) continue;
    if (!found || t.from > found.from) found = t;
  }
  return found;
}

/** Services with a tariff in force in the period. */
export function servicesWithTariff(tariffs: readonly Tariff[], period: string): ServiceId[] {
  return SERVICE_IDS.filter((s) => tariffFor(tariffs, s, period));
}

export interface TariffInForce extends Tariff {
  title: string;
  basis: 'metered' | 'area' | 'resident';
  /** Last period it applies to, when a later tariff is already known; null: until changed. */
  until: string | null;
}

/**
 * The tariffs of the public "Тарифы" page: per service, the one in force in `period` and, when
 * the operator has already imported it, the next one; each with its validity.
 */
export function tariffsInForce(
  tariffs: readonly Tariff[],
  period: string,
): { current: TariffInForce[]; upcoming: TariffInForce[] } {
  const current: TariffInForce[] = [];
  const upcoming: TariffInForce[] = [];
  for (const service of SERVICE_IDS) {
    const history = tariffs.filter((t) => t.service === service).sort((a, b) => (a.from < b.from ? -1 : 1));
    const describe = (t: Tariff, i: number): TariffInForce => {
      const next = history[i + 1];
      const { title, basis } = serviceById(service);
      return { ...t, title, basis, until: next ? addMonths(next.from, -1) : null };
    };
    const index = history.findLastIndex((t) => t.from <= period);
    if (index >= 0) current.push(describe(history[index] as Tariff, index));
    const nextIndex = index + 1;
    if (nextIndex < history.length) upcoming.push(describe(history[nextIndex] as Tariff, nextIndex));
  }
  return { current, upcoming };
}
