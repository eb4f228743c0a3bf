import { getCabinet } from '#shared/accounts/store';
import { sendMail } from '#shared/clients/mail';
import { DomainError } from '#shared/errors';
import { logger } from '#shared/logger';
import { quickSubmissionMail } from '#shared/readings/mails';
import { meterIdOf } from '#shared/readings/meterId';
import { type MeterState, meterStates } from '#shared/readings/meterState';
import { submissionPeriod } from '#shared/readings/period';
import {
  MAX_REPLACEMENTS,
  type MeterReadings,
  meterReadingsOf,
  type PassUse,
  type ReadingRecord,
  type ReadingSource,
  type ReadingWrite,
  replacedHistory,
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
 * Who stands behind a source, for the corrections limit: the resident (the cabinet, or the bank
 * app they paid in), anyone who knows the account number (no login), or the centre (the operator's
 * imports and the demo seed, never limited). Each kind has its own MAX_REPLACEMENTS, so values
 * sent without logging in cannot use up the resident's own corrections: the resident can always
 * put the right value back.
 */
type Submitter = 'resident' | 'anyone' | 'centre';

function submitterOf(source: ReadingSource): Submitter {
  if (source === 'web' || source === 'bank') return 'resident';
  if (source === 'quick') return 'anyone';
  return 'centre';
}

/** How many values of this period the submitter of `source` has already sent (kept and replaced). */
export function correctionsCounted(current: ReadingRecord | undefined, source: ReadingSource): number {
  if (!current) return 0;
  const by = submitterOf(source);
  return [...(current.replaced ?? []), current].filter((r) => submitterOf(r.source) === by).length;
}

export interface SubmitOptions {
  /** A no-login pass: used up by this submission, in its own transaction. */
  pass?: PassUse;
  /**
   * The account's meters and readings, read consistently with the session check of this request
   * (readings/session.ts): the first attempt judges against them instead of reading again.
   */
  read?: MeterReadings | undefined;
}

/**
 * Accepts a page of readings all or nothing. Conditional writes make it safe to repeat: the same
 * values again are a no-op with the same answer; a race with another tab is re-judged on fresh
 * data, and the later value replaces the earlier one (which is kept in `replaced`).
 */
export async function submitReadings(
  account: string,
  readings: readonly SubmittedReading[],
  source: ReadingSource,
  options: SubmitOptions = {},
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
    // One consistent query of the account's meters and readings (made with the session check when
    // the caller did), then one transaction; the window comes from its per-container cache. A race
    // lost to another tab is judged again on a fresh read.
    const snapshot =
      attempt === 0 && options.read ? options.read : await meterReadingsOf(account, { consistent: true });
    const meters = snapshot.meters.filter((m) => wanted.has(meterIdOf(m.serial)));
    const states = new Map((await meterStates(snapshot, period, meters)).map((s) => [s.id, s]));
    const accepted = evaluateSubmission(readings, new Map([...states].map(([id, s]) => [id, s.facts])), today);
    const submittedAt = now().toISOString();
    // The first value of the period is not a correction: MAX_REPLACEMENTS corrections follow it.
    const full = accepted.filter((a) => {
      const current = states.get(a.meterId)?.current;
      return (
        !a.reading.unchanged &&
        submitterOf(source) !== 'centre' &&
        correctionsCounted(current, source) > MAX_REPLACEMENTS
      );
    });
    if (full.length > 0) {
      throw DomainError.of('too_many_changes', {
        max: MAX_REPLACEMENTS,
        fields: Object.fromEntries(full.map((a) => [a.meterId, 'Слишком много исправлений за месяц.'])),
      });
    }
    // Only meters whose value changed are written; the unchanged ones are checked to be still so.
    const writes: ReadingWrite[] = accepted.flatMap(({ meterId, reading }) => {
      const { meter, current, facts } = states.get(meterId) as MeterState;
      if (reading.unchanged) return [];
      return [
        {
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
            replaced: replacedHistory(current),
          },
        },
      ];
    });
    const unchanged = accepted.flatMap(({ meterId, reading }) => {
      const current = states.get(meterId)?.current;
      return reading.unchanged && current ? [current] : [];
    });
    if (snapshot.readingRev === undefined) throw new Error('A submission must be judged on a consistent read');
    const outcome = await writeSubmission(account, snapshot.readingRev, writes, { unchanged, pass: options.pass });
    if (outcome === 'pass_used') throw DomainError.of('invalid_ticket');
    if (outcome === 'written') {
      if (source === 'quick') await tellResident(account, period, submittedAt, writes);
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

/**
 * A registered resident is told of readings sent for their account without logging in. The
 * readings are stored by now: a mail that fails is logged (without the address), not answered
 * as a failed submission, which the sender would only repeat.
 */
async function tellResident(
  account: string,
  period: string,
  submittedAt: string,
  writes: readonly ReadingWrite[],
): Promise<void> {
  const written = writes.map((w) => w.reading);
  if (written.length === 0) return;
  try {
    const cabinet = await getCabinet(account);
    if (!cabinet?.email) return;
    await sendMail(
      quickSubmissionMail(cabinet.email, account, {
        period,
        submittedAt,
        readings: written.map((r) => ({ serial: r.serial, service: r.service, value: r.value })),
      }),
    );
  } catch (error) {
    logger.warn('No-login readings notice not sent', { error: (error as Error).name });
  }
}
