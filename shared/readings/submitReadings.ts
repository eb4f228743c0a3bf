import { DomainError } from '#shared/errors';
import { meterIdOf } from '#shared/readings/meterId';
import { type MeterState, meterStates } from '#shared/readings/meterState';
import { submissionPeriod } from '#shared/readings/period';
import {
  MAX_REPLACEMENTS,
  type MeterWrite,
  metersOf,
  type ReadingSource,
  writeSubmission,
} from '#shared/readings/store';
import { evaluateSubmission, type SubmittedReading } from '#shared/readings/submission';
import { moscowDate, moscowDateTimeText, now } from '#shared/time';
import { cachedWindow } from '#shared/window/windowStore';

export const SUCCESS_MESSAGE = 'Показания успешно переданы';

export interface SubmissionResult {
  message: string;
  period: string;
  items: Array<{ meterId: string; period: string; value: string; consumption: string }>;
}

const MAX_ATTEMPTS = 4;

/**
 * Accepts a page of readings all or nothing. Conditional writes make it safe to repeat: the same
 * values again are a no-op with the same answer; a race with another tab is re-judged on fresh
 * data, and the later value replaces the earlier one (which is kept in `replaced`).
 */
export async function submitReadings(
  account: string,
  readings: readonly SubmittedReading[],
  source: ReadingSource,
): Promise<SubmissionResult> {
  const window = await cachedWindow();
  if (!window.open) {
    throw DomainError.of('window_closed', {
      opensAt: moscowDateTimeText(window.opensAt),
      closesAt: moscowDateTimeText(window.closesAt),
    });
  }
  const period = submissionPeriod(window);
  const today = moscowDate(now());
  const wanted = new Set(readings.map((r) => r.meterId));
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const meters = (await metersOf(account)).filter((m) => wanted.has(meterIdOf(m.serial)));
    const states = new Map((await meterStates(account, period, meters)).map((s) => [s.id, s]));
    const accepted = evaluateSubmission(readings, new Map([...states].map(([id, s]) => [id, s.facts])), today);
    const submittedAt = now().toISOString();
    const full = accepted.filter((a) => {
      const current = states.get(a.meterId)?.current;
      return !a.reading.unchanged && (current?.replaced?.length ?? 0) >= MAX_REPLACEMENTS;
    });
    if (full.length > 0) {
      throw DomainError.of('too_many_changes', {
        max: MAX_REPLACEMENTS,
        fields: Object.fromEntries(full.map((a) => [a.meterId, 'Слишком много исправлений за месяц.'])),
      });
    }
    const writes: MeterWrite[] = accepted.map(({ meterId, reading }) => {
      const { meter, current, facts } = states.get(meterId) as MeterState;
      if (reading.unchanged) return { meter };
      return {
        meter,
        current,
        reading: {
          account,
          serial: meter.serial,
          service: meter.service,
          period,
          value: reading.value,
          consumption: reading.consumption,
          previous: facts.basis,
          ...(reading.rollover ? { rollover: true } : {}),
          source,
          submittedAt,
          replaced: current
            ? [
                ...(current.replaced ?? []),
                {
                  value: current.value,
                  consumption: current.consumption,
                  submittedAt: current.submittedAt,
                  source: current.source,
                },
              ]
            : [],
        },
      };
    });
    if (await writeSubmission(writes)) {
      return {
        message: SUCCESS_MESSAGE,
        period,
        items: accepted.map(({ meterId, reading }) => ({
          meterId,
          period,
          value: reading.value,
          consumption: reading.consumption,
        })),
      };
    }
  }
  throw DomainError.of('concurrent_change');
}
