import {
  type ChargeEntry,
  type ChargeLine,
  chargeEntry,
  type LedgerEntry,
  type RecalcEntry,
  type RecalcLine,
  recalcEntry,
  type VolumePart,
} from '#shared/billing/ledger';
import { Dec, dec, lineAmount, volumeText } from '#shared/billing/money';
import { servicesWithTariff, type Tariff, tariffFor } from '#shared/billing/tariffs';
import {
  type MeterFact,
  type MeterVolumes,
  meteredVolume,
  meterVolumes,
  type ReadingFact,
  revisedPart,
  weakestMethod,
} from '#shared/billing/volumes';
import { COEFFICIENT_SERVICES, meterImpossible, type ServiceId, serviceById } from '#shared/registry/services';
import { addMonths } from '#shared/time';

/**
 * The charges of one account for one period, and the recalculations of earlier periods: pure
 * functions of the registry, the readings, the tariffs and the account's ledger. No database.
 */

export interface AccountFacts {
  account: string;
  /** m², decimal string. */
  area: string;
  residents: number;
  /** Owners of the flat (default 1): the norm basis when nobody lives there (ПП РФ № 354, п. 56(2)). */
  owners?: number;
  /** Services billed to the account; absent: every service with a tariff. */
  services?: readonly ServiceId[];
  /** Services an inspection found no meter can be installed for: no increasing coefficient. */
  noMeterPossible?: readonly ServiceId[];
}

/**
 * The number of people a norm is multiplied by: the residents, or, when nobody lives in the flat,
 * its owners (ПП РФ № 354, п. 56(2)).
 */
export function normBasis(account: AccountFacts): number {
  return account.residents > 0 ? account.residents : Math.max(1, account.owners ?? 1);
}

export interface BillingFacts {
  account: AccountFacts;
  meters: readonly MeterFact[];
  readings: readonly ReadingFact[];
  tariffs: readonly Tariff[];
}

/** How far back a late reading still recalculates an earlier period. */
export const RECALC_LOOKBACK_PERIODS = 12;

const ELECTRICITY_TWO_RATE: readonly ServiceId[] = ['electricity_day', 'electricity_night'];

/**
 * The services billed for the period: the account's list, or every service with a tariff. Without
 * a list, an account is billed either single-rate electricity or day and night, never both: day and
 * night when it has a two-rate meter, single-rate otherwise.
 */
export function billedServices(facts: BillingFacts, period: string): ServiceId[] {
  if (facts.account.services && facts.account.services.length > 0) return [...facts.account.services];
  const all = servicesWithTariff(facts.tariffs, period);
  const twoRate = facts.meters.some((m) => ELECTRICITY_TWO_RATE.includes(m.service));
  const hasSingle = all.includes('electricity');
  return all.filter((s) => {
    if (s === 'electricity') return !twoRate;
    if (ELECTRICITY_TWO_RATE.includes(s)) return twoRate || !hasSingle;
    return true;
  });
}

/** Wastewater drains the cold and the hot water: its volume is theirs, without any coefficient. */
const DRAINED: readonly ServiceId[] = ['cold_water', 'hot_water'];

/**
 * Wastewater's parts: the volumes of the water services the flat is billed for that period, each
 * by the same rule as its own line (meter, average or norm), so the two never disagree. A flat
 * without hot water (not among its services) drains its cold water only; a flat billed for neither
 * pays wastewater by its own norm.
 */
function wastewaterParts(
  facts: BillingFacts,
  tariff: Tariff,
  period: string,
  volumes: MeterVolumes,
  basis: number,
): VolumePart[] {
  const billed = billedServices(facts, period);
  const parts: VolumePart[] = [];
  for (const service of DRAINED) {
    const water = billed.includes(service) ? tariffFor(facts.tariffs, service, period) : undefined;
    if (!water) continue;
    parts.push(meteredVolume({ service, meters: facts.meters, volumes, period, norm: water.norm, basis }).part);
  }
  if (parts.length > 0) return parts;
  return [{ service: 'wastewater', volume: volumeText(dec(tariff.norm).times(basis)), method: 'norm', meters: [] }];
}

/**
 * Whether the increasing coefficient applies to a line billed by the norm for want of a working
 * meter (ПП РФ № 354, п. 42, п. 60): only for cold water, hot water and electricity, and not when
 * an inspection's act says a meter cannot be installed in the flat.
 */
export function coefficientApplies(account: AccountFacts, service: ServiceId): boolean {
  return COEFFICIENT_SERVICES.includes(service) && !meterImpossible(account.noMeterPossible, service);
}

/** One service's line for the period, or undefined when the service has no tariff then. */
export function chargeLine(
  facts: BillingFacts,
  service: ServiceId,
  period: string,
  volumes: MeterVolumes = meterVolumes(facts.readings, facts.meters),
): ChargeLine | undefined {
  const tariff = tariffFor(facts.tariffs, service, period);
  if (!tariff) return undefined;
  const base = { service, unit: tariff.unit, price: tariff.price, tariffFrom: tariff.from };
  const basis = normBasis(facts.account);
  const kind = serviceById(service).basis;
  if (kind === 'area') {
    const volume = dec(facts.account.area).times(tariff.norm);
    return { ...base, volume: volumeText(volume), method: 'area', amount: lineAmount(volume, tariff.price) };
  }
  if (kind === 'resident') {
    const volume = dec(tariff.norm).times(basis);
    return { ...base, volume: volumeText(volume), method: 'residents', amount: lineAmount(volume, tariff.price) };
  }
  let parts: VolumePart[];
  let coefficient: string | undefined;
  if (service === 'wastewater') {
    parts = wastewaterParts(facts, tariff, period, volumes, basis);
  } else {
    const metered = meteredVolume({ service, meters: facts.meters, volumes, period, norm: tariff.norm, basis });
    parts = [metered.part];
    if (metered.withoutWorkingMeter && tariff.coefficient && coefficientApplies(facts.account, service)) {
      coefficient = tariff.coefficient;
    }
  }
  let volume = parts.reduce((sum, p) => sum.plus(p.volume), dec(0));
  if (coefficient) volume = volume.times(coefficient);
  return {
    ...base,
    volume: volumeText(volume),
    method: weakestMethod(parts),
    ...(coefficient ? { coefficient } : {}),
    amount: lineAmount(volume, tariff.price),
    parts,
  };
}

export interface PeriodCharges {
  lines: ChargeLine[];
  /** Billed services without a tariff for the period: not charged, reported to the operator. */
  withoutTariff: ServiceId[];
}

export function chargesForPeriod(
  facts: BillingFacts,
  period: string,
  volumes: MeterVolumes = meterVolumes(facts.readings, facts.meters),
): PeriodCharges {
  const lines: ChargeLine[] = [];
  const withoutTariff: ServiceId[] = [];
  for (const service of billedServices(facts, period)) {
    const line = chargeLine(facts, service, period, volumes);
    if (line) lines.push(line);
    else withoutTariff.push(service);
  }
  return { lines, withoutTariff };
}

/** What stands for a period's service in the ledger now: its latest line and the net amount. */
interface BilledState {
  forPeriod: string;
  line: ChargeLine;
  net: number;
}

/** Per (period, service): the charge line, revised by any later recalculation, and what it came to. */
export function billedStates(entries: readonly LedgerEntry[]): Map<string, BilledState> {
  const states = new Map<string, BilledState>();
  const ordered = entries
    .filter((e): e is ChargeEntry | RecalcEntry => e.kind === 'charge' || e.kind === 'recalc')
    .sort((a, b) => (a.period < b.period ? -1 : a.period > b.period ? 1 : a.kind === 'charge' ? -1 : 1));
  for (const entry of ordered) {
    for (const line of entry.lines as Array<ChargeLine | RecalcLine>) {
      const forPeriod = ('forPeriod' in line ? line.forPeriod : undefined) ?? entry.period;
      const key = `${forPeriod}#${line.service}`;
      const previous = states.get(key);
      states.set(key, { forPeriod, line, net: (previous?.net ?? 0) + line.amount });
    }
  }
  return states;
}

/**
 * Recalculations due in the run of `period`: every line of the last RECALC_LOOKBACK_PERIODS
 * periods that was billed by estimate (average, or the norm for want of readings) and whose
 * meters all have their actual volume for that period by now. The line is revised to the actual
 * volume at the tariff it was billed at; the recalculation is the difference from what the period
 * has come to so far (charge plus earlier recalculations), signed. A revised line is by meter, so
 * it is never revised again: a re-run finds nothing more to do.
 */
export function recalculations(
  facts: BillingFacts,
  ledger: readonly LedgerEntry[],
  period: string,
  volumes: MeterVolumes = meterVolumes(facts.readings, facts.meters),
): RecalcLine[] {
  const earliest = addMonths(period, -RECALC_LOOKBACK_PERIODS);
  const lines: RecalcLine[] = [];
  for (const { forPeriod, line, net } of billedStates(ledger).values()) {
    if (forPeriod >= period || forPeriod < earliest || !line.parts) continue;
    let changed = false;
    const parts = line.parts.map((part) => {
      const revised = revisedPart(part, facts.meters, volumes, forPeriod);
      if (revised) changed = true;
      return revised ?? part;
    });
    if (!changed) continue;
    // Only metered parts are revised, and a metered part never carries the coefficient.
    const volume = parts.reduce((sum, p) => sum.plus(p.volume), new Dec(0));
    const revisedAmount = lineAmount(volume, line.price);
    if (revisedAmount === net) continue;
    lines.push({
      service: line.service,
      volume: volumeText(volume),
      method: weakestMethod(parts),
      unit: line.unit,
      price: line.price,
      tariffFrom: line.tariffFrom,
      parts,
      forPeriod,
      billedAmount: net,
      revisedAmount,
      amount: revisedAmount - net,
    });
  }
  return lines.sort((a, b) =>
    a.forPeriod === b.forPeriod ? a.service.localeCompare(b.service) : a.forPeriod < b.forPeriod ? -1 : 1,
  );
}

export type AccountBill =
  | { status: 'already_billed' }
  | {
      status: 'billed' | 'nothing_to_bill';
      charge?: ChargeEntry;
      recalc?: RecalcEntry;
      withoutTariff: ServiceId[];
    };

/**
 * The entries the run of `period` writes for an account: the period's charges and, separately,
 * the recalculations of earlier periods. An account whose charge entry for the period exists is
 * already billed: a re-run computes nothing.
 */
export function billAccount(
  facts: BillingFacts,
  ledger: readonly LedgerEntry[],
  period: string,
  createdAt: string,
): AccountBill {
  if (ledger.some((e) => e.kind === 'charge' && e.period === period)) return { status: 'already_billed' };
  const volumes = meterVolumes(facts.readings, facts.meters);
  const { lines, withoutTariff } = chargesForPeriod(facts, period, volumes);
  const recalcs = recalculations(facts, ledger, period, volumes);
  const account = facts.account.account;
  const charge = lines.length > 0 ? chargeEntry(account, period, lines, createdAt) : undefined;
  const recalc = recalcs.length > 0 ? recalcEntry(account, period, recalcs, createdAt) : undefined;
  return {
    status: charge || recalc ? 'billed' : 'nothing_to_bill',
    ...(charge ? { charge } : {}),
    ...(recalc ? { recalc } : {}),
    withoutTariff,
  };
}
