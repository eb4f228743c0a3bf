import Decimal from 'decimal.js';
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { periodText, periodTitle } from '#shared/format';
import { formatDecimal } from '#shared/readings/rules';
import { ApiError } from '../api/client';
import { getReadingHistory, type ReadingHistory } from '../api/readings';
import { type ChartSeries, ConsumptionChart } from '../components/ConsumptionChart';
import { MonthRange, type MonthRangeErrors, monthRangeErrors } from '../components/MonthRange';
import { PageFrame } from '../components/PageFrame';
import { ScrollRegion } from '../components/ScrollRegion';
import { formatDateTime } from '../format';
import '../readings.css';

const SOURCES: Record<string, string> = {
  web: 'личный кабинет',
  quick: 'без входа',
  seed: 'по данным центра',
  bank: 'через банк',
  legacy: 'из прежней системы',
  paper: 'бланк в РАЦ',
  phone: 'по телефону',
  controller: 'контролёр',
};

/** Every month from `from` to `to`, so a month without a reading shows as a gap, not as nothing. */
function monthsFrom(from: string, to: string): string[] {
  const months: string[] = [];
  let [year, month] = from.split('-').map(Number) as [number, number];
  while (months.length < 120) {
    const period = `${year}-${String(month).padStart(2, '0')}`;
    if (period > to) break;
    months.push(period);
    month += 1;
    if (month > 12) {
      month = 1;
      year += 1;
    }
  }
  return months;
}

const shortPeriod = (period: string) => {
  const [year, month] = period.split('-');
  return `${month}.${year?.slice(2)}`;
};

interface ServiceChart {
  service: string;
  title: string;
  unit: string;
  series: ChartSeries;
}

/** One chart per service: the month's consumption summed over the service's meters. */
function chartsOf(history: ReadingHistory): ServiceChart[] {
  const months = monthsFrom(history.from, history.to);
  const services = new Map<string, { title: string; unit: string }>();
  for (const meter of history.meters) services.set(meter.service, { title: meter.title, unit: meter.unit });
  return [...services].flatMap(([service, { title, unit }]) => {
    const items = history.items.filter((item) => item.service === service);
    if (items.length === 0) return [];
    const values = months.map((period) =>
      items
        .filter((item) => item.period === period)
        .reduce((sum, item) => sum.plus(item.consumption), new Decimal(0))
        .toNumber(),
    );
    return [{ service, title, unit, series: { labels: months.map(shortPeriod), values } }];
  });
}

/** When and how a reading came, and the values it replaced. */
function Submitted({ item }: { item: ReadingHistory['items'][number] }) {
  return (
    <>
      {formatDateTime(item.submittedAt)}, {SOURCES[item.source] ?? item.source}
      {item.replaced.length > 0 && (
        <span class="reading-table__note">
          {' '}
          — исправлено; прежние значения: {item.replaced.map((r) => formatDecimal(r.value)).join(', ')}
        </span>
      )}
    </>
  );
}

/** /readings/history: readings per meter for a period range, and consumption charts by month. */
export function ReadingsHistory() {
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [history, setHistory] = useState<ReadingHistory | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [rangeErrors, setRangeErrors] = useState<MonthRangeErrors>({});
  /** The current year by the server's clock: the default range ends in the current month. */
  const [lastYear, setLastYear] = useState<number | null>(null);

  const load = useCallback(async (range: { from: string; to: string } | null) => {
    setBusy(true);
    try {
      const next = await getReadingHistory(range ?? undefined);
      setHistory(next);
      setFrom(next.from);
      setTo(next.to);
      if (!range) setLastYear(Number(next.to.slice(0, 4)));
      setRangeErrors({});
      setError(null);
    } catch (caught) {
      setError(caught instanceof ApiError ? caught.message : 'Не удалось загрузить историю показаний.');
      // The API names the query parameter at fault (`from`, `to`): it is marked on the range.
      if (caught instanceof ApiError) setRangeErrors({ from: caught.fields.from, to: caught.fields.to });
    } finally {
      setBusy(false);
    }
  }, []);

  useEffect(() => {
    void load(null);
  }, [load]);

  function filter(event: Event) {
    event.preventDefault();
    const found = monthRangeErrors(from, to);
    setRangeErrors(found);
    if (found.from || found.to) {
      setError(null);
      return;
    }
    void load({ from, to });
  }

  const charts = useMemo(() => (history ? chartsOf(history) : []), [history]);

  return (
    <PageFrame title="История показаний">
      <p class="page__lead">
        Переданные показания и расход по каждому счётчику. <a href="/readings">Передать показания</a>
      </p>
      <form class="reading-filter" onSubmit={filter} noValidate>
        <MonthRange from={from} to={to} onFrom={setFrom} onTo={setTo} lastYear={lastYear} errors={rangeErrors} />
        <button type="submit" class="button button--primary" disabled={busy} aria-busy={busy}>
          Показать
        </button>
        <p class="field__hint reading-filter__hint">Не больше 10 лет за раз.</p>
      </form>
      {error && (
        <div class="alert alert--error" role="alert">
          <p>{error}</p>
        </div>
      )}
      {!history && !error && (
        <p class="loading" role="status">
          Загрузка…
        </p>
      )}
      {history && (
        <>
          <section class="section" aria-labelledby="charts-heading">
            <h2 id="charts-heading">Расход по месяцам</h2>
            {charts.length === 0 && <p>За эти месяцы показаний нет.</p>}
            <div class="reading-charts">
              {charts.map((chart) => (
                <ConsumptionChart
                  key={chart.service}
                  title={`${chart.title}, ${chart.unit}`}
                  unit={chart.unit}
                  series={chart.series}
                />
              ))}
            </div>
          </section>
          <section class="section" aria-labelledby="meters-heading">
            <h2 id="meters-heading">Показания по счётчикам</h2>
            {history.meters.map((meter) => {
              const items = history.items.filter((item) => item.meterId === meter.id);
              const headingId = `meter-history-${meter.id}`;
              return (
                <section class="reading-history" key={meter.id} data-testid="meter-history" aria-labelledby={headingId}>
                  <h3 id={headingId} class="reading-history__title">
                    {meter.title}, №&nbsp;{meter.serial}
                  </h3>
                  {items.length === 0 ? (
                    <p>За эти месяцы показаний нет.</p>
                  ) : (
                    <>
                      {/* A phone gets the meter as a card of short lines: four columns do not fit 390 px. */}
                      <ol class="reading-cards">
                        {items.map((item) => (
                          <li key={item.period} class="reading-card">
                            <span class="reading-card__month">{periodTitle(item.period)}</span>
                            <span class="reading-card__value">
                              <span class="visually-hidden">показание </span>
                              {formatDecimal(item.value)}&nbsp;{meter.unit}
                            </span>
                            <span class="reading-card__when">
                              <Submitted item={item} />
                            </span>
                            <span class="reading-card__use">
                              расход {formatDecimal(item.consumption)}&nbsp;{meter.unit}
                              {item.rollover && ' (переход через ноль)'}
                            </span>
                          </li>
                        ))}
                      </ol>
                      <ScrollRegion
                        class="reading-table-scroll"
                        label={`Показания: ${meter.title}, №\u00a0${meter.serial}`}
                      >
                        <table class="reading-table">
                          <thead>
                            <tr>
                              <th scope="col">Месяц</th>
                              <th scope="col">Показание, {meter.unit}</th>
                              <th scope="col">Расход, {meter.unit}</th>
                              <th scope="col">Передано</th>
                            </tr>
                          </thead>
                          <tbody>
                            {items.map((item) => (
                              <tr key={item.period}>
                                <th scope="row">{periodText(item.period)}</th>
                                <td class="reading-table__number">{formatDecimal(item.value)}</td>
                                <td class="reading-table__number">
                                  {formatDecimal(item.consumption)}
                                  {item.rollover && <span class="reading-table__note"> (переход через ноль)</span>}
                                </td>
                                <td>
                                  <Submitted item={item} />
                                </td>
                              </tr>
                            ))}
                          </tbody>
                        </table>
                      </ScrollRegion>
                    </>
                  )}
                </section>
              );
            })}
          </section>
        </>
      )}
    </PageFrame>
  );
}
