import { useEffect, useId, useState } from 'preact/hooks';
import { periodText } from '#shared/format';
import { checkReading, formatDecimal, type MeterFacts } from '#shared/readings/rules';
import type { ApiError } from '../api/client';
import type { MeterView, ReadingInput, ReadingWindow, SubmissionResult } from '../api/readings';
import { formatDate, formatDateTime } from '../format';
import { useFormStatus } from '../forms';
import { FormAlert, SubmitButton, SuccessPanel } from './Form';
import '../readings.css';

/*
 * All meters of an account on one form: the previous reading, the consumption the typed value
 * implies (computed as one types, by the same rules the server applies), the roll-over and
 * typo-guard questions with a «yes, it is right» checkbox, and the verification state. Used by the
 * logged-in page and by the no-login page; the parent decides where the readings go.
 */

/** The last day to submit: the window closes at 00:00 of its closing day. */
function lastDay(closesAt: string): string {
  return formatDate(new Date(new Date(closesAt).getTime() - 1).toISOString());
}

/** «Приём показаний открыт до …» or «… откроется …», as the page's first line. */
export function WindowBanner({ window }: { window: ReadingWindow }) {
  return window.open ? (
    <div class="alert alert--success reading-window" data-testid="reading-window">
      <p>
        <strong>Приём показаний открыт до {lastDay(window.closesAt)} включительно</strong> — показания за{' '}
        {periodText(window.period)}.
      </p>
    </div>
  ) : (
    <div class="notice reading-window" data-testid="reading-window">
      <p class="notice__title">Приём показаний откроется {formatDateTime(window.opensAt)} (МСК)</p>
      <p>
        Показания за {periodText(window.period)} принимаются до {lastDay(window.closesAt)} включительно. Сейчас их
        передать нельзя.
      </p>
    </div>
  );
}

function factsOf(meter: MeterView): MeterFacts {
  return {
    service: meter.service,
    digits: meter.digits,
    verifiedUntil: meter.verifiedUntil,
    basis: meter.basis,
    current: meter.submitted?.value,
    expected: meter.expectedConsumption ?? undefined,
    expectedFrom: meter.usualFrom ?? undefined,
  };
}

interface Entry {
  value: string;
  confirm: boolean;
  touched: boolean;
}

const EMPTY: Entry = { value: '', confirm: false, touched: false };

/** What the page says under a value as it is typed. */
function liveCheck(meter: MeterView, entry: Entry) {
  if (entry.value.trim() === '') return undefined;
  // The verification date is the server's call (meter.expired): such meters get no input at all.
  return checkReading({ raw: entry.value, confirm: entry.confirm, meter: factsOf(meter), today: '0000-01-01' });
}

function MeterField({
  meter,
  entry,
  onChange,
  serverError,
  disabled,
}: {
  meter: MeterView;
  entry: Entry;
  onChange: (entry: Entry) => void;
  serverError?: string | undefined;
  disabled: boolean;
}) {
  const id = useId();
  const unit = meter.unit;
  // Judged as if confirmed: only a hard problem remains (a bad value, a decrease), else the consumption.
  const asConfirmed = liveCheck(meter, { ...entry, confirm: true });
  const asTyped = liveCheck(meter, { ...entry, confirm: false });
  const question =
    asTyped && !asTyped.ok && asTyped.problem.code === 'confirmation_required' ? asTyped.problem.message : undefined;
  const consumption = asConfirmed?.ok ? asConfirmed.reading.consumption : undefined;
  const hardError = asConfirmed && !asConfirmed.ok ? asConfirmed.problem.message : undefined;
  const error = serverError ?? (entry.touched ? hardError : undefined);

  return (
    <fieldset class="reading-meter" data-testid="meter" data-meter-id={meter.id}>
      <legend class="reading-meter__title">
        {meter.title} <span class="reading-meter__serial">№&nbsp;{meter.serial}</span>
      </legend>
      <dl class="reading-meter__facts">
        <div>
          <dt>Предыдущее показание</dt>
          <dd>
            {formatDecimal(meter.basis)}&nbsp;{unit}
            {meter.lastReading && !meter.submitted && (
              <span class="reading-meter__when"> ({periodText(meter.lastReading.period)})</span>
            )}
            {!meter.lastReading && <span class="reading-meter__when"> (при установке)</span>}
          </dd>
        </div>
        {meter.submitted && (
          <div>
            <dt>Уже передано в этом приёме</dt>
            <dd>
              {formatDecimal(meter.submitted.value)}&nbsp;{unit} (расход {formatDecimal(meter.submitted.consumption)}
              &nbsp;{unit}) — новое значение заменит его
            </dd>
          </div>
        )}
        {meter.usualConsumption &&
          // Without readings of its own a meter is compared with the norm: it is not «обычный» for this home.
          (meter.usualFrom === 'norm' ? (
            <div>
              <dt>Норматив</dt>
              <dd>
                {formatDecimal(meter.usualConsumption)}&nbsp;{unit} в месяц
              </dd>
            </div>
          ) : (
            <div>
              <dt>Обычный расход</dt>
              <dd>
                около {formatDecimal(meter.usualConsumption)}&nbsp;{unit} в месяц
              </dd>
            </div>
          ))}
        <div>
          <dt>Поверка до</dt>
          <dd>
            {formatDate(`${meter.verifiedUntil}T12:00:00+03:00`)}
            {meter.verificationEndsSoon && <strong class="reading-meter__soon"> — скоро закончится</strong>}
          </dd>
        </div>
      </dl>
      {meter.expired ? (
        <div class="alert alert--error" data-testid="meter-expired">
          <p>
            Срок поверки истёк: показания этого счётчика не принимаются. Поверьте или замените счётчик и обратитесь в
            РАЦ с документом о поверке (установке).
          </p>
        </div>
      ) : (
        <div class="field reading-meter__field">
          <label class="field__label" for={id}>
            Новое показание, {unit}
          </label>
          <p id={`${id}-hint`} class="field__hint">
            Цифры до запятой и {meter.decimals === 1 ? 'одна после' : `до ${meter.decimals} после`}, например{' '}
            {meter.decimals === 1 ? '12345,6' : '123,456'}. Можно оставить пустым.
          </p>
          <input
            id={id}
            name={`reading-${meter.id}`}
            class={
              error ? 'field__input reading-meter__input field__input--invalid' : 'field__input reading-meter__input'
            }
            value={entry.value}
            inputMode="decimal"
            autocomplete="off"
            maxLength={20}
            disabled={disabled}
            aria-invalid={error ? true : undefined}
            aria-describedby={[`${id}-hint`, `${id}-live`, error ? `${id}-error` : ''].filter(Boolean).join(' ')}
            // A new value needs its own confirmation.
            onInput={(event) => onChange({ value: event.currentTarget.value, confirm: false, touched: entry.touched })}
            onBlur={() => onChange({ ...entry, touched: true })}
          />
          <p id={`${id}-live`} class="reading-meter__live" aria-live="polite">
            {consumption !== undefined && (
              <>
                Расход:{' '}
                <strong>
                  {formatDecimal(consumption)}&nbsp;{unit}
                </strong>
              </>
            )}
          </p>
          {error && (
            <p id={`${id}-error`} class="field__error">
              {error}
            </p>
          )}
          {question && (
            <div class="reading-meter__question" data-testid="confirm-question">
              <p>{question}</p>
              <div class="checkbox">
                <input
                  id={`${id}-confirm`}
                  type="checkbox"
                  class="checkbox__input"
                  checked={entry.confirm}
                  disabled={disabled}
                  onChange={(event) => onChange({ ...entry, confirm: event.currentTarget.checked })}
                />
                <label class="checkbox__label" for={`${id}-confirm`}>
                  Да, показание верное
                </label>
              </div>
            </div>
          )}
        </div>
      )}
    </fieldset>
  );
}

export interface ReadingFormProps {
  window: ReadingWindow;
  meters: MeterView[];
  send: (readings: ReadingInput[]) => Promise<SubmissionResult>;
  /** After a success (the parent reloads the meters), or a failure it handles itself. */
  onSubmitted: (result: SubmissionResult) => void;
  onError?: (error: ApiError) => void;
}

export function ReadingForm({ window, meters, send, onSubmitted, onError }: ReadingFormProps) {
  const [entries, setEntries] = useState<Record<string, Entry>>({});
  const [done, setDone] = useState<SubmissionResult | null>(null);
  const form = useFormStatus();
  const open = window.open;

  // New meters (after a reload) start empty; typed values of the same meters stay.
  useEffect(() => {
    setEntries((current) => Object.fromEntries(meters.map((m) => [m.id, current[m.id] ?? EMPTY])));
  }, [meters]);

  const entryOf = (id: string) => entries[id] ?? EMPTY;
  const setEntry = (id: string, entry: Entry) => {
    setEntries((current) => ({ ...current, [id]: entry }));
    setDone(null);
  };

  async function submit(event: Event) {
    event.preventDefault();
    const filled = meters.filter((m) => !m.expired && entryOf(m.id).value.trim() !== '');
    const problems: Record<string, string> = {};
    for (const meter of filled) {
      const check = liveCheck(meter, entryOf(meter.id));
      if (check && !check.ok) {
        problems[meter.id] =
          check.problem.code === 'confirmation_required'
            ? 'Проверьте значение и отметьте «Да, показание верное».'
            : check.problem.message;
      }
    }
    if (filled.length === 0) {
      const first = meters.find((m) => !m.expired);
      if (first) problems[first.id] = 'Введите показание хотя бы одного счётчика.';
    }
    setEntries((current) =>
      Object.fromEntries(Object.entries(current).map(([id, e]) => [id, { ...e, touched: true }])),
    );
    if (!form.passes(problems)) return;
    const readings = filled.map((m) => {
      const entry = entryOf(m.id);
      return { meterId: m.id, value: entry.value.trim(), ...(entry.confirm ? { confirm: true } : {}) };
    });
    const result = await form.send(() => send(readings));
    if (!result.ok) {
      onError?.(result.error);
      return;
    }
    setEntries(Object.fromEntries(meters.map((m) => [m.id, EMPTY])));
    setDone(result.value);
    onSubmitted(result.value);
  }

  const byId = new Map(meters.map((m) => [m.id, m]));
  return (
    <form class="form reading-form" ref={form.formRef} noValidate onSubmit={submit}>
      {done && (
        <SuccessPanel title={done.message}>
          <ul class="reading-done" data-testid="reading-done">
            {done.items.map((item) => {
              const meter = byId.get(item.meterId);
              return (
                <li key={item.meterId}>
                  {meter ? `${meter.title}, №\u00a0${meter.serial}` : item.meterId}: {formatDecimal(item.value)}
                  {meter ? `\u00a0${meter.unit}` : ''} (расход {formatDecimal(item.consumption)}
                  {meter ? `\u00a0${meter.unit}` : ''})
                </li>
              );
            })}
            {/* A meter left blank is named too, so nobody takes the silence for «передано». */}
            {meters
              .filter((meter) => !done.items.some((item) => item.meterId === meter.id))
              .map((meter) => (
                <li key={meter.id} data-testid="reading-not-sent">
                  {meter.title}, №&nbsp;{meter.serial}: <strong>не передано</strong>
                  {meter.expired ? ' (истёк срок поверки)' : ''}
                </li>
              ))}
          </ul>
        </SuccessPanel>
      )}
      <FormAlert error={form.error} />
      {meters.length === 0 && <p>У лицевого счёта нет зарегистрированных счётчиков.</p>}
      <div class="reading-meters">
        {meters.map((meter) => (
          <MeterField
            key={meter.id}
            meter={meter}
            entry={entryOf(meter.id)}
            disabled={!open || form.busy}
            serverError={form.fieldError(meter.id)}
            onChange={(entry) => setEntry(meter.id, entry)}
          />
        ))}
      </div>
      {open && meters.some((m) => !m.expired) && <SubmitButton busy={form.busy}>Передать показания</SubmitButton>}
    </form>
  );
}
