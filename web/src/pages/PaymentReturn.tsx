import { useEffect, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { ApiError } from '../api/client';
import { getPayment, type Payment } from '../api/payments';
import { PageFrame } from '../components/PageFrame';
import { describeBalance, formatRoubles } from '../format';
import { isFinalState } from '../paymentForm';
import { useSession } from '../session';
import '../payments.css';

/** How often and how long the page asks: the bank's callback usually arrives within seconds. */
const POLL_MS = 2_000;
const POLL_FOR_MS = 3 * 60_000;

const HEADINGS: Record<string, string> = {
  succeeded: 'Оплата прошла',
  failed: 'Оплата не прошла',
  expired: 'Время на оплату истекло',
  refunded: 'Деньги возвращены',
  review: 'Платёж проверяется',
};
/** /payments/return?id=…: where the bank sends the resident back; the status until it is final. */
export function PaymentReturn() {
  const { query } = useLocation();
  const id = query.id ?? '';
  const { me, refresh } = useSession();
  const [payment, setPayment] = useState<Payment | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [gaveUp, setGaveUp] = useState(false);

  useEffect(() => {
    if (!id) return;
    const abort = new AbortController();
    const started = Date.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const current = await getPayment(id, abort.signal);
        setPayment(current);
        setError(null);
        if (isFinalState(current.state)) {
          // The balance changed: the header and the account page show the new one.
          void refresh();
          return;
        }
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
  }, [id, refresh]);

  const final = payment && isFinalState(payment.state);
  const heading = final ? (HEADINGS[payment.state] ?? payment.statusText) : 'Ждём подтверждения банка';
  const balance = me ? describeBalance(me.balance.total) : undefined;
  return (
    <PageFrame title="Результат оплаты" heading={heading}>
      <div class="payment-result" role="status" aria-live="polite" data-testid="payment-result">
        {!id && <p>Не указан платёж. Откройте его из истории платежей.</p>}
        {error && <p class="alert alert--error">{error.message}</p>}
        {payment && !final && (
          <p aria-busy="true">
            Платёж на {formatRoubles(payment.amount)} ждёт подтверждения банка. Страница обновится сама — обычно это
            занимает несколько секунд.
          </p>
        )}
        {gaveUp && !final && (
          <p>
            Банк ещё не подтвердил оплату. Если деньги списаны, платёж поступит на счёт автоматически — проверьте
            историю платежей позже.
          </p>
        )}
        {payment?.state === 'succeeded' && (
          <>
            <p class="payment-result__amount" data-testid="payment-outcome">
              Оплата <strong>{formatRoubles(payment.amount)}</strong> прошла: деньги зачислены на лицевой счёт
              {me ? `\u00a0№\u00a0${me.account}` : ''}.
            </p>
            {balance && (
              <p data-testid="balance-after">
                {balance.label}
                {balance.kind !== 'settled' && `: ${balance.amount}`}
              </p>
            )}
          </>
        )}
        {payment?.state === 'review' && (
          <p>Банк сообщил об оплате, но сумма требует проверки. Специалисты РАЦ зачислят её после сверки.</p>
        )}
        {payment && ['failed', 'expired'].includes(payment.state) && (
          <p data-testid="payment-outcome">
            Оплата <strong>{formatRoubles(payment.amount)}</strong> не прошла: деньги не списаны. Можно попробовать
            снова.
          </p>
        )}
      </div>
      <p class="button-row">
        {payment?.state === 'succeeded' && (
          <a class="button button--primary" href={`/payments/receipt?id=${encodeURIComponent(payment.id)}`}>
            Квитанция об оплате
          </a>
        )}
        <a
          class={`button ${final && payment?.state !== 'succeeded' ? 'button--primary' : 'button--secondary'}`}
          href="/payments"
        >
          {final && payment?.state !== 'succeeded' ? 'Оплатить снова' : 'К платежам'}
        </a>
      </p>
    </PageFrame>
  );
}
