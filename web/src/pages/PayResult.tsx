import { useEffect, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { ApiError } from '../api/client';
import { type GuestPaymentStatus, getGuestPayment } from '../api/payments';
import { PageFrame } from '../components/PageFrame';
import { formatRoubles } from '../format';
import '../payments.css';

/** How often and how long the page asks: the bank's callback usually arrives within seconds. */
const POLL_MS = 2_000;
const POLL_FOR_MS = 3 * 60_000;

const HEADINGS = { succeeded: 'Оплата прошла', failed: 'Оплата не прошла' } as const;

/**
 * /pay/result?id=…: where the bank sends a payer who paid without login. It knows the payment's
 * amount and status only (`GET /api/pay/{id}`): nothing about the account or its owner.
 */
export function PayResult() {
  const { query } = useLocation();
  const id = query.id ?? '';
  const [payment, setPayment] = useState<GuestPaymentStatus | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [gaveUp, setGaveUp] = useState(false);

  useEffect(() => {
    if (!id) return;
    const abort = new AbortController();
    const started = Date.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const current = await getGuestPayment(id, abort.signal);
        setPayment(current);
        setError(null);
        if (current.status !== 'pending') return;
      } catch (caught) {
        if (abort.signal.aborted) return;
        if (caught instanceof ApiError) {
          setError(caught);
          if (caught.status === 404) return;
        }
      }
      if (Date.now() - started > POLL_FOR_MS) setGaveUp(true);
      else timer = setTimeout(poll, POLL_MS);
    };
    void poll();
    return () => {
      abort.abort();
      clearTimeout(timer);
    };
  }, [id]);

  const final = payment && payment.status !== 'pending' ? payment.status : undefined;
  return (
    <PageFrame title="Результат оплаты" heading={final ? HEADINGS[final] : 'Ждём подтверждения банка'}>
      <div class="payment-result" role="status" aria-live="polite" data-testid="pay-result">
        {!id && <p>Не указан платёж. Оплатить можно на странице «Оплата без входа».</p>}
        {error && <p class="alert alert--error">{error.message}</p>}
        {payment && !final && (
          <p aria-busy="true">
            Платёж на {formatRoubles(payment.amount)} ждёт подтверждения банка. Страница обновится сама — обычно это
            занимает несколько секунд.
          </p>
        )}
        {gaveUp && !final && (
          <p>
            Банк ещё не подтвердил оплату. Если деньги списаны, платёж поступит на лицевой счёт автоматически, а
            квитанция придёт на почту, если вы её указали.
          </p>
        )}
        {final === 'succeeded' && payment && (
          <p class="payment-result__amount">
            На лицевой счёт зачислено <strong>{formatRoubles(payment.amount)}</strong>. Если вы указали почту, квитанция
            об оплате придёт на неё.
          </p>
        )}
        {final === 'failed' && <p>Деньги не списаны. Можно попробовать снова.</p>}
      </div>
      <p class="button-row">
        <a class={`button ${final === 'failed' ? 'button--primary' : 'button--secondary'}`} href="/pay">
          {final === 'failed' ? 'Оплатить снова' : 'Оплатить ещё один счёт'}
        </a>
        <a class="button button--secondary" href="/">
          На главную
        </a>
      </p>
    </PageFrame>
  );
}
