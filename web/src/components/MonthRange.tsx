import { useId } from 'preact/hooks';
import { GENITIVE_MONTHS, MONTHS } from '#shared/format';

const PERIOD = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** After «с» a month is in the genitive («с января»), after «по» in the accusative («по ноябрь»). */
const FROM_MONTHS = GENITIVE_MONTHS;
const TO_MONTHS = MONTHS.map((month) => month.toLowerCase());

/** How many years back the year lists go: the API serves at most ten years at a time. */
const YEARS_BACK = 10;

export interface MonthRangeErrors {
  from?: string | undefined;
  to?: string | undefined;
}

interface MonthRangeProps {
  from: string;
  to: string;
  onFrom: (period: string) => void;
  onTo: (period: string) => void;
  /**
   * The newest year offered: the current year by the server's clock (the range's default end).
   * Until the server has answered: the year of the range's end, else this device's year.
   */
  lastYear: number | null;
  errors?: MonthRangeErrors;
}

/** The ends of a range check as one: the start after the end is an error on the start. */
export function monthRangeErrors(from: string, to: string): MonthRangeErrors {
  if (!PERIOD.test(from)) return { from: 'Выберите месяц и год начала' };
  if (!PERIOD.test(to)) return { to: 'Выберите месяц и год конца' };
  if (from > to) return { from: 'Начало периода позже его конца' };
  return {};
}

/**
 * «Период: с [января] [2026] по [ноябрь] [2026]»: month and year lists instead of a typed
 * `ГГГГ-ММ` (no browser-dependent `<input type=month>`, nothing to mistype). Each list has its own
 * label for screen readers; an error is shown under the range and marks the end at fault.
 */
export function MonthRange({ from, to, onFrom, onTo, lastYear, errors = {} }: MonthRangeProps) {
  const id = useId();
  const newest = lastYear ?? (Number((to || from).slice(0, 4)) || new Date().getFullYear());
  const years = Array.from({ length: YEARS_BACK + 1 }, (_, i) => newest - i);
  return (
    <fieldset class="month-range">
      <legend class="field__label">Период</legend>
      <div class="month-range__ends">
        <MonthEnd
          id={`${id}-from`}
          word="с"
          names={FROM_MONTHS}
          period={from}
          years={years}
          onChange={onFrom}
          label="начала"
          error={errors.from}
        />
        <MonthEnd
          id={`${id}-to`}
          word="по"
          names={TO_MONTHS}
          period={to}
          years={years}
          onChange={onTo}
          label="конца"
          error={errors.to}
        />
      </div>
      {[errors.from && ['from', errors.from], errors.to && ['to', errors.to]].map(
        (entry) =>
          entry && (
            <p key={entry[0]} id={`${id}-${entry[0]}-error`} class="field__error">
              {entry[1]}
            </p>
          ),
      )}
    </fieldset>
  );
}

function MonthEnd(props: {
  id: string;
  word: string;
  names: readonly string[];
  period: string;
  years: number[];
  onChange: (period: string) => void;
  label: string;
  error: string | undefined;
}) {
  const { id, word, names, period, years, onChange, label, error } = props;
  const [, year = '', month = ''] = PERIOD.exec(period) ?? [];
  const invalid = error ? { 'aria-invalid': true, 'aria-describedby': `${id}-error` } : {};
  const className = error ? 'field__input field__input--invalid' : 'field__input';
  // A year outside the list (a range typed into the address) stays selectable.
  const shownYears = year && !years.includes(Number(year)) ? [Number(year), ...years] : years;
  return (
    <div class="month-range__end">
      <span class="month-range__word" aria-hidden="true">
        {word}
      </span>
      <label class="visually-hidden" for={`${id}-month`}>
        Месяц {label} периода
      </label>
      <select
        id={`${id}-month`}
        class={className}
        value={month}
        onChange={(event) => onChange(`${year || years[0]}-${event.currentTarget.value}`)}
        {...invalid}
      >
        {!month && <option value="">месяц</option>}
        {names.map((name, index) => {
          const value = String(index + 1).padStart(2, '0');
          return (
            <option key={value} value={value}>
              {name}
            </option>
          );
        })}
      </select>
      <label class="visually-hidden" for={`${id}-year`}>
        Год {label} периода
      </label>
      <select
        id={`${id}-year`}
        class={`${className} month-range__year`}
        value={year}
        onChange={(event) => onChange(`${event.currentTarget.value}-${month || '01'}`)}
        {...invalid}
      >
        {!year && <option value="">год</option>}
        {shownYears.map((y) => (
          <option key={y} value={String(y)}>
            {y}
          </option>
        ))}
      </select>
    </div>
  );
}
