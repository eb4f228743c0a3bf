import { useEffect } from 'preact/hooks';
import type { Me } from '../api/accounts';
import { LatestNews } from '../components/LatestNews';
import { PageFrame } from '../components/PageFrame';
import { describeBalance, formatArea } from '../format';
import { serviceTitle } from '../labels';
import { pageById } from '../routes';
import { useSession } from '../session';

const QUICK_LINKS = (['readings', 'statement', 'payments', 'epd', 'profile', 'support'] as const).map(pageById);

function Balance({ balance }: { balance: Me['balance'] }) {
  const total = describeBalance(balance.total);
  return (
    <section class={`balance balance--${total.kind}`} aria-labelledby="balance-heading">
      <h2 id="balance-heading" class="balance__heading">
        Баланс лицевого счёта
      </h2>
      <p class="balance__total" data-testid="balance-total">
        <span class="balance__label">{total.label}</span>
        {total.kind !== 'settled' && <span class="balance__amount">{total.amount}</span>}
      </p>
      {balance.total > 0 && (
        <p class="balance__action">
          <a class="button button--primary" href="/payments">
            Оплатить
          </a>
        </p>
      )}
      {balance.services.length > 0 && (
        <table class="balance__services">
          <caption class="visually-hidden">По услугам</caption>
          <thead>
            <tr>
              <th scope="col">Услуга</th>
              <th scope="col">Сумма</th>
            </tr>
          </thead>
          <tbody>
            {balance.services.map((row) => {
              const view = describeBalance(row.balance);
              return (
                <tr key={row.service}>
                  <th scope="row">{serviceTitle(row.service)}</th>
                  <td class={`money money--${view.kind}`}>
                    {view.kind === 'settled' ? '—' : view.amount}
                    {view.kind === 'overpayment' && <span class="money__note"> переплата</span>}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** The resident's home: whose account it is, what is owed, and where to go next. */
export function Account() {
  const { me, refresh } = useSession();
  // The balance changes with payments and billing runs: ask again whenever the page opens.
  useEffect(() => {
    void refresh();
  }, [refresh]);
  if (!me) return null;
  return (
    <PageFrame title="Лицевой счёт" heading={`Лицевой счёт №\u00a0${me.account}`}>
      <dl class="facts">
        <div class="facts__row">
          <dt>Владелец</dt>
          <dd data-testid="owner">{me.owner}</dd>
        </div>
        <div class="facts__row">
          <dt>Адрес</dt>
          <dd>{me.address}</dd>
        </div>
        <div class="facts__row">
          <dt>Общая площадь</dt>
          <dd>{formatArea(me.area)}</dd>
        </div>
        <div class="facts__row">
          <dt>Проживающих</dt>
          <dd>{me.residents}</dd>
        </div>
        <div class="facts__row">
          <dt>Электронная почта</dt>
          <dd>{me.email}</dd>
        </div>
      </dl>
      <Balance balance={me.balance} />
      <LatestNews />
      <section class="section" aria-labelledby="quick-heading">
        <h2 id="quick-heading">Разделы</h2>
        <ul class="quick-links">
          {QUICK_LINKS.map((page) => (
            <li key={page.path}>
              <a class="quick-links__link" href={page.path}>
                <span class="quick-links__title">{page.title}</span>
                {page.summary && <span class="quick-links__summary">{page.summary}</span>}
              </a>
            </li>
          ))}
        </ul>
      </section>
    </PageFrame>
  );
}
