import { useCallback, useEffect, useState } from 'preact/hooks';
import { decimalComma, formatPrice, periodGenitive, periodTitle } from '#shared/format';
import {
  type ChargeDetail,
  type Charges,
  getCharges,
  getPaymentsHistory,
  getStatement,
  type PaymentsHistory,
  type PeriodRange,
  type Statement as StatementData,
  type StatementRow,
  statementCsvHref,
} from '../api/billing';
import { ApiError } from '../api/client';
import { AccountCharacteristics } from '../components/AccountCharacteristics';
import { MonthRange, type MonthRangeErrors, monthRangeErrors } from '../components/MonthRange';
import { PageFrame } from '../components/PageFrame';
import { ScrollRegion } from '../components/ScrollRegion';
import { formatDateTime, formatRoubles } from '../format';
import { useSession } from '../session';
import '../billing.css';

const METHODS: Record<ChargeDetail['method'], string> = {
  meter: 'по счётчику',
  average: 'по среднему',
  norm: 'по нормативу',
  area: 'по площади',
  residents: 'по числу проживающих',
  penalty: 'ЖК РФ ст. 155 ч. 14',
};

interface Loaded {
  range: PeriodRange;
  statement: StatementData;
  charges: Charges;
  payments: PaymentsHistory;
}

function Money({ kopecks }: { kopecks: number }) {
  return <span class={`money${kopecks < 0 ? ' money--credit' : ''}`}>{formatRoubles(kopecks)}</span>;
}

function lineTitle(line: ChargeDetail): string {
  return line.kind === 'recalc' && line.forPeriod
    ? `${line.title}: перерасчёт за ${periodTitle(line.forPeriod).toLowerCase()}`
    : line.title;
}

/**
 * Пени have no volume or tariff: the row says what debt they run on, from which bills, and at what
 * rate, so the resident can check them (ЖК РФ ст. 155 ч. 14).
 */
function PenaltyRow({ line, penalty }: { line: ChargeDetail; penalty: NonNullable<ChargeDetail['penalty']> }) {
  const late = penalty.bills.map((b) => periodTitle(b.forPeriod).toLowerCase()).join(', ');
  return (
    <tr>
      <th scope="row">{line.title}</th>
      <td data-label="Объём">
        <span class="statement-table__value">
          <span class="statement-table__number">
            долг <Money kopecks={penalty.overdue} />
          </span>
          <span class="statement-table__note">{late ? `квитанции за ${late}` : 'просрочка погашена'}</span>
        </span>
      </td>
      <td class="statement-table__number" data-label="Ставка">
        <span>{decimalComma(penalty.rate)}&nbsp;% годовых</span>
      </td>
      <td class="statement-table__amount" data-label="Сумма">
        <Money kopecks={line.amount} />
      </td>
    </tr>
  );
}

/** The month's detail: the charges by service (volume, how it was determined, tariff) and payments. */
function MonthDetail({ period, loaded }: { period: string; loaded: Loaded }) {
  const lines = loaded.charges.periods.find((p) => p.period === period)?.lines ?? [];
  const payments = loaded.payments.items.filter((p) => p.period === period);
  return (
    <div class="statement-detail">
      {lines.length === 0 ? (
        <p>Начислений за этот месяц нет.</p>
      ) : (
        <table class="statement-table statement-table--detail">
          <caption>Начислено за {periodTitle(period).toLowerCase()} по услугам</caption>
          <thead>
            <tr>
              <th scope="col">Услуга</th>
              <th scope="col">Объём</th>
              <th scope="col">Тариф</th>
              <th scope="col" class="statement-table__amount">
                Сумма
              </th>
            </tr>
          </thead>
          <tbody>
            {lines.map((line) =>
              line.penalty ? (
                <PenaltyRow key="penalty" line={line} penalty={line.penalty} />
              ) : (
                <tr key={`${line.kind}-${line.forPeriod ?? ''}-${line.service}`}>
                  <th scope="row">{lineTitle(line)}</th>
                  <td data-label="Объём">
                    <span class="statement-table__value">
                      <span class="statement-table__number">
                        {decimalComma(line.volume)}&nbsp;{line.unit}
                      </span>
                      <span class="statement-table__note">
                        {METHODS[line.method]}
                        {line.coefficient ? `, коэффициент ${decimalComma(line.coefficient)}` : ''}
                      </span>
                    </span>
                  </td>
                  <td class="statement-table__number" data-label="Тариф">
                    <span>
                      {formatPrice(line.price)}/{line.unit}
                    </span>
                  </td>
                  <td class="statement-table__amount" data-label="Сумма">
                    <Money kopecks={line.amount} />
                  </td>
                </tr>
              ),
            )}
          </tbody>
        </table>
      )}
      {payments.length > 0 && (
        <>
          <h3 class="statement-detail__heading">Платежи</h3>
          <ul class="statement-payments">
            {payments.map((payment) => (
              <li key={payment.id}>
                {formatDateTime(payment.paidAt)} — <Money kopecks={payment.amount} />
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

function StatementTable({ loaded }: { loaded: Loaded }) {
  const [open, setOpen] = useState<string | null>(null);
  const { rows } = loaded.statement;
  return (
    <ScrollRegion class="statement-scroll" labelledBy="statement-caption">
      <table class="statement-table" data-testid="statement-table">
        <caption id="statement-caption">
          С {periodGenitive(loaded.range.from)} по {periodTitle(loaded.range.to).toLowerCase()}, в рублях. Нажмите на
          месяц, чтобы увидеть начисления по услугам.
        </caption>
        <thead>
          <tr>
            <th scope="col">Месяц</th>
            <th scope="col" class="statement-table__amount">
              Входящее сальдо
            </th>
            <th scope="col" class="statement-table__amount">
              Начислено
            </th>
            <th scope="col" class="statement-table__amount">
              Оплачено
            </th>
            <th scope="col" class="statement-table__amount">
              Исходящее сальдо
            </th>
          </tr>
        </thead>
        {rows.map((row: StatementRow) => {
          const expanded = open === row.period;
          const detailId = `statement-detail-${row.period}`;
          return (
            <tbody key={row.period} class={expanded ? 'statement-month statement-month--open' : 'statement-month'}>
              <tr data-testid="statement-row" data-period={row.period}>
                <th scope="row">
                  <button
                    type="button"
                    class="statement-month__toggle"
                    aria-expanded={expanded}
                    aria-controls={detailId}
                    onClick={() => setOpen(expanded ? null : row.period)}
                  >
                    {periodTitle(row.period)}
                  </button>
                </th>
                <td class="statement-table__amount" data-label="Входящее сальдо">
                  <Money kopecks={row.opening} />
                </td>
                <td class="statement-table__amount" data-label="Начислено">
                  <Money kopecks={row.charged} />
                </td>
                <td class="statement-table__amount" data-label="Оплачено">
                  <Money kopecks={row.paid} />
                </td>
                <td class="statement-table__amount" data-label="Исходящее сальдо">
                  <Money kopecks={row.closing} />
                </td>
              </tr>
              <tr id={detailId} class="statement-month__detail" hidden={!expanded}>
                <td colSpan={5}>{expanded && <MonthDetail period={row.period} loaded={loaded} />}</td>
              </tr>
            </tbody>
          );
        })}
      </table>
    </ScrollRegion>
  );
}

/** /statement, «Начисления и платежи»: per month opening, charged, paid, closing; details; CSV. */
export function Statement() {
  const { me } = useSession();
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [rangeErrors, setRangeErrors] = useState<MonthRangeErrors>({});
  /** The current year by the server's clock: the default range ends in the current month. */
  const [lastYear, setLastYear] = useState<number | null>(null);

  const load = useCallback(async (range: PeriodRange | null) => {
    setBusy(true);
    try {
      const statement = await getStatement(range ?? undefined);
      const shown = { from: statement.from, to: statement.to };
      const [charges, payments] = await Promise.all([getCharges(shown), getPaymentsHistory(shown)]);
      setLoaded({ range: shown, statement, charges, payments });
      setFrom(shown.from);
      setTo(shown.to);
      if (!range) setLastYear(Number(shown.to.slice(0, 4)));
      setRangeErrors({});
      setError(null);
    } catch (caught) {
      setError(caught instanceof ApiError ? caught.message : 'Не удалось загрузить начисления и платежи.');
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

  return (
    <PageFrame title="Начисления и платежи">
      {me && <AccountCharacteristics me={me} compact />}
      <form class="statement-filter" onSubmit={filter} noValidate>
        <MonthRange from={from} to={to} onFrom={setFrom} onTo={setTo} lastYear={lastYear} errors={rangeErrors} />
        <button type="submit" class="button button--primary" disabled={busy} aria-busy={busy}>
          Показать
        </button>
        <p class="field__hint statement-filter__hint">Не больше 10 лет за раз.</p>
      </form>
      {error && (
        <div class="alert alert--error" role="alert">
          <p>{error}</p>
        </div>
      )}
      {!loaded && !error && (
        <p class="loading" role="status">
          Загрузка…
        </p>
      )}
      {loaded && (
        <>
          <StatementTable loaded={loaded} />
          <p class="button-row">
            <a
              class="button button--secondary"
              href={statementCsvHref(loaded.range)}
              download={`statement-${loaded.range.from}-${loaded.range.to}.csv`}
              data-testid="statement-csv"
            >
              Скачать CSV
            </a>
          </p>
          <p class="field__hint">
            Сальдо: положительное — задолженность, отрицательное (со знаком «−») — переплата. Перерасчёты входят в
            начисления месяца, в котором сделаны. Тарифы — на странице <a href="/tariffs">«Тарифы»</a>.
          </p>
        </>
      )}
    </PageFrame>
  );
}
