import { DomainError } from '#shared/errors';
import { meterIdOf } from '#shared/readings/meterId';
import { monthsBetween } from '#shared/readings/period';
import { decimalsOf } from '#shared/readings/rules';
import { meterReadingsOf } from '#shared/readings/store';
import { serviceById } from '#shared/registry/services';
import { addMonths, now, periodOf } from '#shared/time';

/** History of every meter of the account for periods `from..to` (default: the last 12 months). */
export async function readingHistory(account: string, range: { from?: string | undefined; to?: string | undefined }) {
  const to = range.to ?? periodOf(now());
  const from = range.from ?? addMonths(to, -11);
  if (from > to) {
    throw DomainError.of('invalid_input', { fields: { from: 'Начало периода позже его конца' } });
  }
  if (monthsBetween(from, to) >= 120) {
    throw DomainError.of('invalid_input', { fields: { from: 'Не больше 10 лет за один запрос' } });
  }
  // One query of the account's meters and readings.
  const { meters, readings } = await meterReadingsOf(account);
  const inRange = [...readings.values()].flat().filter((r) => r.period >= from && r.period <= to);
  const items = inRange.map((r) => ({
    meterId: meterIdOf(r.serial),
    serial: r.serial,
    service: r.service,
    period: r.period,
    value: r.value,
    consumption: r.consumption,
    submittedAt: r.submittedAt,
    source: r.source,
    rollover: r.rollover === true,
    replaced: (r.replaced ?? []).map(({ value, consumption, submittedAt }) => ({ value, consumption, submittedAt })),
  }));
  items.sort((a, b) => b.period.localeCompare(a.period) || a.service.localeCompare(b.service));
  return {
    from,
    to,
    meters: meters.map((m) => ({
      id: meterIdOf(m.serial),
      serial: m.serial,
      service: m.service,
      title: serviceById(m.service).title,
      unit: serviceById(m.service).unit,
      decimals: decimalsOf(m.service),
    })),
    items,
  };
}
