import { useEffect, useState } from 'preact/hooks';
import { periodText } from '#shared/format';
import { getHome, type Home, type Me } from '../api/accounts';
import { ApiError } from '../api/client';
import { epdPath } from '../api/epd';
import { AccountCharacteristics } from '../components/AccountCharacteristics';
import { LatestNews } from '../components/LatestNews';
import { PageFrame } from '../components/PageFrame';
import { daysText, dayText, describeBalance, formatDate, formatRoubles } from '../format';
import { serviceTitle } from '../labels';
import { pageById } from '../routes';
import { useSession } from '../session';
import '../home.css';

const QUICK_LINKS = (['readings', 'statement', 'payments', 'epd', 'profile', 'support'] as const).map(pageById);

/** «за ноябрь 2026, будет сформирована 1 декабря 2026 г.» */
function nextBillText(next: Home['nextBill']): string {
  return `за ${periodText(next.period)}, будет сформирована ${dayText(next.on)}`;
}

/** What is owed and by when, with «Оплатить»; the truth when nothing has been billed yet. */
function Due({ home }: { home: Home }) {
  const nothingBilled = home.bills.length === 0 && home.balance.total === 0;
  const balance = describeBalance(home.balance.total);
  return (
    <section class="home-card home-card--due" aria-labelledby="due-heading" data-testid="home-due">
      <h2 id="due-heading" class="home-card__title">
        К оплате
      </h2>
      {nothingBilled ? (
        <>
          <p class="home-card__amount" data-testid="balance-total">
            Начислений пока нет
          </p>
          <p>Первая квитанция — {nextBillText(home.nextBill)}.</p>
        </>
      ) : (
        <>
          <p class="home-card__amount" data-testid="balance-total">
            {home.toPay > 0 ? (
              <>
                <span class="visually-hidden">{balance.label}: </span>
                {formatRoubles(home.toPay)}
              </>
            ) : (
              balance.label
            )}
          </p>
          {home.toPay > 0 && home.payBy && (
            <p data-testid="pay-by">
              Оплатить до <strong>{dayText(home.payBy)}</strong>
            </p>
          )}
          {home.overdue > 0 && (
            <p class="home-card__warning">
              Из них {formatRoubles(home.overdue)} — долг по квитанциям, срок оплаты которых прошёл: с 31-го дня
              просрочки начисляются пени.
            </p>
          )}
          {home.advance > 0 && <p>Переплата {formatRoubles(home.advance)} будет зачтена в следующих начислениях.</p>}
        </>
      )}
      <p class="home-card__actions">
        {home.toPay > 0 ? (
          <a class="button button--primary" href="/payments" data-testid="pay-button">
            Оплатить
          </a>
        ) : (
          !nothingBilled && (
            <a class="button button--secondary" href="/payments">
              Оплатить заранее
            </a>
          )
        )}
      </p>
    </section>
  );
}

/** The reading window: open with days left and «Передать показания», or when it opens. */
function ReadingWindow({ window }: { window: Home['window'] }) {
  const closesOn = new Date(new Date(window.closesAt).getTime() - 1).toISOString();
  return (
    <section class="home-card" aria-labelledby="window-heading" data-testid="home-window">
      <h2 id="window-heading" class="home-card__title">
        Показания счётчиков
      </h2>
      {window.open ? (
        <>
          <p class="home-card__status">
            {window.days === 1
              ? 'Приём показаний открыт, сегодня последний день'
              : `Приём показаний открыт, осталось ${daysText(window.days)}`}
          </p>
          <p>
            Показания за {periodText(window.period)} — до {formatDate(closesOn)} включительно.
          </p>
          <p class="home-card__actions">
            <a class="button button--primary" href="/readings">
              Передать показания
            </a>
          </p>
        </>
      ) : (
        <>
          <p class="home-card__status">
            Приём показаний за {periodText(window.period)} откроется {formatDate(window.opensAt)}
            {window.days > 0 && ` — через ${daysText(window.days)}`}.
          </p>
          <p class="home-card__actions">
            <a class="button button--secondary" href="/readings/history">
              История показаний
            </a>
          </p>
        </>
      )}
    </section>
  );
}

function LastPayment({ payment }: { payment: Home['lastPayment'] }) {
  return (
    <section class="home-card" aria-labelledby="payment-heading" data-testid="home-payment">
      <h2 id="payment-heading" class="home-card__title">
        Последний платёж
      </h2>
      {payment ? (
        <>
          <p class="home-card__amount home-card__amount--small">{formatRoubles(payment.amount)}</p>
          <p>{formatDate(payment.paidAt)}</p>
          <p class="home-card__actions">
            <a href={`/payments/receipt?id=${encodeURIComponent(payment.id)}`}>Квитанция об оплате</a>
          </p>
        </>
      ) : (
        <p>Платежей пока не было.</p>
      )}
    </section>
  );
}

function LatestBill({ home }: { home: Home }) {
  const [latest] = home.bills;
  return (
    <section class="home-card" aria-labelledby="bill-heading" data-testid="home-bill">
      <h2 id="bill-heading" class="home-card__title">
        Квитанция (ЕПД)
      </h2>
      {latest ? (
        <>
          <p>
            За {periodText(latest.period)}: начислено {formatRoubles(latest.charged)}
          </p>
          <p class="home-card__actions">
            <a class="button button--secondary" href={epdPath(latest.period)} download data-testid="latest-bill">
              Скачать
            </a>{' '}
            <a href="/epd">Все квитанции</a>
          </p>
        </>
      ) : (
        <p>Квитанций пока нет. Первая — {nextBillText(home.nextBill)}.</p>
      )}
    </section>
  );
}

/** Whose account it is and what the charges are computed from; the balance by service. */
function AccountDetails({ me, home }: { me: Me; home: Home | null }) {
  const services = home?.balance.services.filter((row) => row.balance !== 0) ?? [];
  return (
    <section class="section" aria-labelledby="details-heading">
      <h2 id="details-heading">Лицевой счёт</h2>
      <AccountCharacteristics me={me} lead="owner" />
      <p>
        Почта, телефон, уведомления и пароль — в <a href="/profile">профиле</a>.
      </p>
      {services.length > 0 && (
        <table class="balance__services">
          <caption>Баланс по услугам</caption>
          <thead>
            <tr>
              <th scope="col">Услуга</th>
              <th scope="col">Сумма</th>
            </tr>
          </thead>
          <tbody>
            {services.map((row) => {
              const view = describeBalance(row.balance);
              return (
                <tr key={row.service}>
                  <th scope="row">{serviceTitle(row.service)}</th>
                  <td class={`money money--${view.kind}`}>
                    {view.amount}
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

/**
 * The resident's first screen: what is owed and by when, what to do now (pay, submit readings), the
 * last payment and the latest bill; who the account is comes below. One request (GET /api/home).
 */
export function Account() {
  const { me } = useSession();
  const [home, setHome] = useState<Home | null>(null);
  const [error, setError] = useState<string | null>(null);

  // Payments and billing runs change it: asked for whenever the page opens.
  useEffect(() => {
    const controller = new AbortController();
    getHome(controller.signal).then(setHome, (caught: unknown) => {
      if (controller.signal.aborted) return;
      setError(caught instanceof ApiError ? caught.message : 'Не удалось загрузить данные лицевого счёта.');
    });
    return () => controller.abort();
  }, []);

  if (!me) return null;
  return (
    <PageFrame title="Лицевой счёт" heading={`Лицевой счёт №\u00a0${me.account}`}>
      <p class="page__lead">{me.address}</p>
      {error && <p class="alert alert--error">{error}</p>}
      {/* The cards' room is kept while they load, so nothing below them jumps when they arrive. */}
      {!home && !error && (
        <div class="home-cards home-cards--loading" aria-busy="true">
          <p>Загружаем данные лицевого счёта…</p>
        </div>
      )}
      {home && (
        <div class="home-cards">
          <Due home={home} />
          <ReadingWindow window={home.window} />
          <LastPayment payment={home.lastPayment} />
          <LatestBill home={home} />
        </div>
      )}
      <section class="section" aria-labelledby="guest-heading">
        <h2 id="guest-heading">За другой лицевой счёт</h2>
        <p>
          Родителям, соседям или за арендуемую квартиру — без входа в их кабинет: <a href="/pay">Оплатить без входа</a>{' '}
          · <a href="/readings/quick">Передать показания без входа</a>
        </p>
      </section>
      <LatestNews />
      <AccountDetails me={me} home={home} />
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
