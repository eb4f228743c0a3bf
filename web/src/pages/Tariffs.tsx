import { useEffect, useState } from 'preact/hooks';
import { decimalComma, formatPrice, periodGenitive, periodPrepositional, periodTitle } from '#shared/format';
import { getTariffs, type Tariffs as TariffsData, type TariffView } from '../api/billing';
import { ApiError } from '../api/client';
import { PageFrame } from '../components/PageFrame';
import { ScrollRegion } from '../components/ScrollRegion';
import '../billing.css';

/** What the norm means for each kind of service (ПП РФ № 354). */
function normText(tariff: TariffView): string {
  const norm = decimalComma(tariff.norm);
  if (tariff.basis === 'metered') return `${norm}\u00a0${tariff.unit} на человека в месяц (без счётчика)`;
  if (tariff.basis === 'area') {
    return tariff.unit === 'м²' ? 'по общей площади' : `${norm}\u00a0${tariff.unit} на 1\u00a0м² в месяц`;
  }
  return tariff.unit === 'чел.' ? 'по числу проживающих' : `${norm}\u00a0${tariff.unit} на человека в месяц`;
}

function validity(tariff: TariffView): string {
  const since = `с ${periodGenitive(tariff.from)}`;
  return tariff.until ? `${since} по ${periodTitle(tariff.until).toLowerCase()}` : since;
}

function TariffTable({ caption, tariffs, testId }: { caption: string; tariffs: TariffView[]; testId: string }) {
  return (
    <ScrollRegion class="statement-scroll" label={caption}>
      <table class="statement-table" data-testid={testId}>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Услуга</th>
            <th scope="col">Тариф</th>
            <th scope="col">Норматив</th>
            <th scope="col">Действует</th>
          </tr>
        </thead>
        <tbody>
          {tariffs.map((tariff) => (
            <tr key={`${tariff.service}-${tariff.from}`}>
              <th scope="row">{tariff.title}</th>
              <td class="statement-table__number" data-label="Тариф">
                <span>
                  {formatPrice(tariff.price)} за&nbsp;{tariff.unit}
                </span>
              </td>
              <td data-label="Норматив">
                <span class="statement-table__value">
                  {normText(tariff)}
                  {tariff.coefficient && (
                    <span class="statement-table__note">
                      повышающий коэффициент {decimalComma(tariff.coefficient)} — если счётчик можно установить, но его
                      нет
                    </span>
                  )}
                </span>
              </td>
              <td data-label="Действует">
                <span>{validity(tariff)}</span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollRegion>
  );
}

/** /tariffs: the tariffs and norms in force, public. */
export function Tariffs() {
  const [data, setData] = useState<TariffsData | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    getTariffs()
      .then(setData)
      .catch((caught: unknown) =>
        setError(caught instanceof ApiError ? caught.message : 'Не удалось загрузить тарифы.'),
      );
  }, []);

  return (
    <PageFrame title="Тарифы">
      <p class="page__lead">
        Тарифы и нормативы потребления коммунальных услуг, по которым центр начисляет плату. Начисления по счётчикам —
        по переданным показаниям; без показаний — по среднему за последние месяцы (до трёх), затем по нормативу.
      </p>
      {error && (
        <div class="alert alert--error" role="alert">
          <p>{error}</p>
        </div>
      )}
      {!data && !error && (
        <p class="loading" role="status">
          Загрузка…
        </p>
      )}
      {data && data.current.length === 0 && <p>Тарифы ещё не загружены.</p>}
      {data && data.current.length > 0 && (
        <TariffTable
          caption={`Действуют в ${periodPrepositional(data.period)}`}
          tariffs={data.current}
          testId="tariffs-current"
        />
      )}
      {data && data.upcoming.length > 0 && (
        <section class="section" aria-labelledby="upcoming-heading">
          <h2 id="upcoming-heading">Утверждённые изменения</h2>
          <TariffTable caption="Новые тарифы" tariffs={data.upcoming} testId="tariffs-upcoming" />
        </section>
      )}
    </PageFrame>
  );
}
