import { useLocation } from 'preact-iso';
import { getPayment } from '../api/payments';
import { PageFrame } from '../components/PageFrame';
import { describeBalance, formatRoubles } from '../format';
import { usePaymentPoll } from '../hooks';
import { isFinalState } from '../paymentForm';
import { useSession } from '../session';
import '../payments.css';

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
  // A final state changed the balance: the header and the account page show the new one.
  const { payment, error, gaveUp } = usePaymentPoll(
    id,
    getPayment,
    (p) => isFinalState(p.state),
    () => void refresh(),
  );

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
