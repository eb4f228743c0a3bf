import { useLocation } from 'preact-iso';
import { getGuestPayment } from '../api/payments';
import { PageFrame } from '../components/PageFrame';
import { formatRoubles } from '../format';
import { usePaymentPoll } from '../hooks';
import '../payments.css';

const HEADINGS = { succeeded: 'Оплата прошла', failed: 'Оплата не прошла' } as const;

/**
 * /pay/result?id=…: where the bank sends a payer who paid without login. It knows the payment's
 * amount and status only (`GET /api/pay/{id}`): nothing about the account or its owner.
 */
export function PayResult() {
  const { query } = useLocation();
  const id = query.id ?? '';
  const { payment, error, gaveUp } = usePaymentPoll(id, getGuestPayment, (p) => p.status !== 'pending');

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
