import { useEffect, useRef, useState } from 'preact/hooks';
import { periodText, periodTitle } from '#shared/format';
import { getHome, type Home } from '../api/accounts';
import { ApiError } from '../api/client';
import { epdFileName, fetchEpd } from '../api/epd';
import { FormAlert } from '../components/Form';
import { PageFrame } from '../components/PageFrame';
import { dayText, formatRoubles } from '../format';
import { useFormStatus } from '../forms';
import { pageById } from '../routes';
import { useSession } from '../session';
import '../home.css';

interface Ready {
  period: string;
  url: string;
  size: number;
}

/** Why the month after the latest bill has none yet, and when it comes. */
function NextBill({ next }: { next: Home['nextBill'] }) {
  return (
    <p data-testid="epd-next">
      Квитанции за {periodText(next.period)} пока нет: начисления за месяц делаются после его окончания. Она будет
      сформирована {dayText(next.on)}.
    </p>
  );
}

/**
 * «Печать квитанций»: the months that have a bill, newest first (GET /api/home, the same facts as
 * the cabinet home), each with its PDF; a month that is not listed had no charges, and the page says
 * when the next bill comes instead of offering months that have none.
 */
export function EpdPage() {
  const page = pageById('epd');
  const { me } = useSession();
  const [home, setHome] = useState<Home | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [asked, setAsked] = useState<string | null>(null);
  const [ready, setReady] = useState<Ready | null>(null);
  const form = useFormStatus();
  const link = useRef<HTMLAnchorElement>(null);

  useEffect(() => {
    const controller = new AbortController();
    getHome(controller.signal).then(setHome, (caught: unknown) => {
      if (controller.signal.aborted) return;
      setLoadError(caught instanceof ApiError ? caught.message : 'Не удалось загрузить список квитанций.');
    });
    return () => controller.abort();
  }, []);
  // The previous PDF's object URL is released when a new one replaces it or the page closes.
  useEffect(() => () => (ready ? URL.revokeObjectURL(ready.url) : undefined), [ready]);
  // A new bill downloads at once; the link stays for a second copy.
  useEffect(() => {
    if (ready) link.current?.click();
  }, [ready]);

  async function download(period: string) {
    setReady(null);
    setAsked(period);
    const result = await form.send(() => fetchEpd(period));
    if (!result.ok) return;
    setReady({ period, url: URL.createObjectURL(result.value), size: result.value.size });
  }

  return (
    <PageFrame title={page.title}>
      <p class="page__lead">
        Единый платёжный документ (ЕПД) за месяц — в формате PDF: его можно распечатать или оплатить по QR-коду в
        приложении банка. Квитанция за прошедший месяц появляется в начале следующего.
      </p>
      <div class="notice">
        <p class="notice__title">Квитанция на электронную почту</p>
        <p>
          Каждый месяц присылаем ЕПД на почту тем, кто включил рассылку: отметьте «Присылать квитанцию (ЕПД) на почту» в{' '}
          <a href="/profile">профиле</a>.
        </p>
      </div>
      {loadError && <p class="alert alert--error">{loadError}</p>}
      {!home && !loadError && <p aria-busy="true">Загружаем список квитанций…</p>}
      {home && home.bills.length === 0 && (
        <div data-testid="epd-none">
          <p>
            <strong>Начислений пока нет.</strong>
          </p>
          <NextBill next={home.nextBill} />
        </div>
      )}
      {home && home.bills.length > 0 && (
        <section class="section" aria-labelledby="bills-heading">
          <h2 id="bills-heading">Квитанции по месяцам</h2>
          <NextBill next={home.nextBill} />
          <FormAlert error={form.error} />
          <ul class="bill-list" data-testid="epd-list">
            {home.bills.map((bill) => (
              <li class="bill-list__item" key={bill.period}>
                <span class="bill-list__period">{periodTitle(bill.period)}</span>
                <span class="bill-list__facts">
                  Начислено {formatRoubles(bill.charged)}, срок оплаты — {dayText(bill.dueDate)}
                </span>
                <button
                  type="button"
                  class="button button--secondary"
                  onClick={() => void download(bill.period)}
                  disabled={form.busy}
                  aria-busy={form.busy && asked === bill.period}
                  aria-label={`Скачать квитанцию за ${periodText(bill.period)}`}
                  data-period={bill.period}
                >
                  {form.busy && asked === bill.period ? 'Формируем…' : 'Скачать PDF'}
                </button>
              </li>
            ))}
          </ul>
          <p>
            Месяцев, за которые начислений не было (до подключения лицевого счёта к порталу), в списке нет: за них
            квитанцию можно получить в РАЦ.
          </p>
        </section>
      )}
      {ready && (
        <div class="alert alert--success" role="status" data-testid="epd-ready">
          <p>
            Квитанция за {periodText(ready.period)} сформирована.{' '}
            <a
              ref={link}
              href={ready.url}
              download={epdFileName(me?.account ?? 'ls', ready.period)}
              data-testid="epd-download"
            >
              Скачать PDF ({Math.max(1, Math.round(ready.size / 1024))} КБ)
            </a>
          </p>
        </div>
      )}
    </PageFrame>
  );
}
