import { DomainError } from '#shared/errors';
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

const SUMMARY: Record<Code | 'readings_rejected', { status: number; code: string; message: string }> = {
  meter_not_found: {
    status: 422,
    code: 'meter_not_found',
    message: 'Счётчик не найден в вашем лицевом счёте. Обновите страницу и передайте показания ещё раз.',
  },
  invalid_reading: { status: 400, code: 'invalid_input', message: 'Проверьте введённые показания.' },
  verification_expired: {
    status: 422,
    code: 'verification_expired',
    message:
      'Срок поверки счётчика истёк: показания по нему не принимаются. Поверьте или замените счётчик ' +
      'и обратитесь в РАЦ с документом о поверке.',
  },
  reading_decreased: {
    status: 422,
    code: 'reading_decreased',
    message: 'Показание меньше предыдущего. Проверьте цифры.',
  },
  confirmation_required: {
    status: 422,
    code: 'confirmation_required',
    message: 'Проверьте отмеченные показания и подтвердите, что они верные.',
  },
  readings_rejected: {
    status: 422,
    code: 'readings_rejected',
    message: 'Часть показаний не принята. Исправьте отмеченные значения.',
  },
};

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
  const summary = codes.size === 1 ? SUMMARY[shown[0]?.code as Code] : SUMMARY.readings_rejected;
  const message = shown.length === 1 ? (shown[0]?.message as string) : summary.message;
  throw new DomainError(
    summary.code,
    summary.status,
    message,
    Object.fromEntries(shown.map((p) => [p.meterId, p.message])),
  );
}
