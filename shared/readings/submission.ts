import { type DetailedErrorCode, DomainError } from '#shared/errors';
import { type AcceptedReading, checkReading, type MeterFacts, type ReadingProblem } from '#shared/readings/rules';

/**
 * One submission (all meters of a page) is judged as a whole: either every value is accepted or
 * none is, and the answer names every meter at fault at once (`fields` by meter id), so a resident
 * fixes the page in one go. Hard refusals win over confirmation questions: there is no point in
 * confirming a value the next request would refuse anyway.
 */
export interface SubmittedReading {
  meterId: string;
  value: string;
  confirm?: boolean | undefined;
}

export interface AcceptedSubmission {
  meterId: string;
  reading: AcceptedReading;
}

type Code = ReadingProblem['code'] | 'meter_not_found';

const HARD_CODES: readonly Code[] = ['meter_not_found', 'invalid_reading', 'verification_expired', 'reading_decreased'];

/** The code a page of refusals answers with: one kind of fault names it, several are "rejected". */
const SUMMARY: Record<Code | 'readings_rejected', DetailedErrorCode> = {
  meter_not_found: 'meter_not_found',
  invalid_reading: 'invalid_input',
  verification_expired: 'verification_expired',
  reading_decreased: 'reading_decreased',
  confirmation_required: 'confirmation_required',
  readings_rejected: 'readings_rejected',
};

/** The summary when several meters are at fault and none of them alone explains the page. */
const INVALID_READINGS_SUMMARY = 'Проверьте введённые показания.';

export const meterNotFoundMessage = 'Счётчик не найден в этом лицевом счёте. Обновите страницу.';

/** Every value checked against its meter; the accepted readings, or one DomainError for all. */
export function evaluateSubmission(
  readings: readonly SubmittedReading[],
  meters: ReadonlyMap<string, MeterFacts>,
  today: string,
): AcceptedSubmission[] {
  const accepted: AcceptedSubmission[] = [];
  const problems: Array<{ meterId: string; code: Code; message: string }> = [];
  for (const submitted of readings) {
    const meter = meters.get(submitted.meterId);
    if (!meter) {
      problems.push({ meterId: submitted.meterId, code: 'meter_not_found', message: meterNotFoundMessage });
      continue;
    }
    const check = checkReading({ raw: submitted.value, confirm: submitted.confirm, meter, today });
    if (check.ok) accepted.push({ meterId: submitted.meterId, reading: check.reading });
    else problems.push({ meterId: submitted.meterId, code: check.problem.code, message: check.problem.message });
  }
  if (problems.length === 0) return accepted;
  const hard = problems.filter((p) => HARD_CODES.includes(p.code));
  const shown = hard.length > 0 ? hard : problems;
  const codes = new Set(shown.map((p) => p.code));
  const code = codes.size === 1 ? SUMMARY[shown[0]?.code as Code] : SUMMARY.readings_rejected;
  const detail =
    shown.length === 1 ? shown[0]?.message : code === 'invalid_input' ? INVALID_READINGS_SUMMARY : undefined;
  throw DomainError.of(code, { detail, fields: Object.fromEntries(shown.map((p) => [p.meterId, p.message])) });
}
