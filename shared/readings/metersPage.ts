import Decimal from 'decimal.js';
import { type MeterState, meterStates } from '#shared/readings/meterState';
import { submissionPeriod } from '#shared/readings/period';
import { decimalsOf, verificationExpired } from '#shared/readings/rules';
import { meterReadingsOf } from '#shared/readings/store';
import { serviceById } from '#shared/registry/services';
import { addDays, moscowDate, now } from '#shared/time';
import type { WindowStatus } from '#shared/window/readingWindow';
import { cachedWindow } from '#shared/window/windowStore';

/** Warn on the meters page this many days before the verification date. */
const VERIFICATION_SOON_DAYS = 31;

function meterView(state: MeterState, today: string) {
  const { meter, facts } = state;
  const service = serviceById(meter.service);
  const places = decimalsOf(meter.service);
  return {
    id: state.id,
    service: meter.service,
    title: service.title,
    unit: service.unit,
    serial: meter.serial,
    digits: meter.digits,
    decimals: places,
    verifiedUntil: meter.verifiedUntil,
    expired: verificationExpired(meter.verifiedUntil, today),
    verificationEndsSoon:
      !verificationExpired(meter.verifiedUntil, today) && meter.verifiedUntil <= addDays(today, VERIFICATION_SOON_DAYS),
    lastReading: state.latest
      ? { value: state.latest.value, date: state.latest.submittedAt, period: state.latest.period }
      : null,
    basis: facts.basis,
    submitted: state.current
      ? {
          value: state.current.value,
          consumption: state.current.consumption,
          submittedAt: state.current.submittedAt,
        }
      : null,
    usualConsumption: state.usual ? state.usual.toDecimalPlaces(places).toFixed() : null,
    usualFrom: state.usualFrom ?? null,
    expectedConsumption: facts.expected ? new Decimal(facts.expected).toDecimalPlaces(places).toFixed() : null,
  };
}

export type MeterView = ReturnType<typeof meterView>;

function windowView(window: WindowStatus) {
  return { open: window.open, opensAt: window.opensAt, closesAt: window.closesAt, period: submissionPeriod(window) };
}

/** The meters page: the window, and every meter with what the page needs to check as one types. */
export async function metersPage(account: string) {
  const window = await cachedWindow();
  const period = submissionPeriod(window);
  const states = await meterStates(await meterReadingsOf(account), period);
  const today = moscowDate(now());
  const meters = states
    .map((s) => meterView(s, today))
    .sort((a, b) => a.service.localeCompare(b.service) || a.serial.localeCompare(b.serial));
  return { window: windowView(window), meters };
}
