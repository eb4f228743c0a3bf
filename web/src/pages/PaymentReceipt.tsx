import { useEffect, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { periodText } from '#shared/format';
import { ApiError } from '../api/client';
import { getReceipt, type Receipt } from '../api/payments';
import { PageFrame } from '../components/PageFrame';
import { formatDateTime, formatRoubles } from '../format';
import '../payments.css';

/** /payments/receipt?id=…: the payment confirmation, printable (the print sheet hides the site's frame). */
export function PaymentReceipt() {
  const { query } = useLocation();
  const id = query.id ?? '';
  const [receipt, setReceipt] = useState<Receipt | null>(null);
  const [error, setError] = useState<ApiError | null>(null);

  useEffect(() => {
    if (!id) return;
    const abort = new AbortController();
    getReceipt(id, abort.signal).then(setReceipt, (caught: unknown) => {
      if (caught instanceof ApiError) setError(caught);
    });
    return () => abort.abort();
  }, [id]);

  return (
    <PageFrame title="Квитанция об оплате" heading="Подтверждение оплаты">
      {!id && <p>Не указан платёж. Откройте квитанцию из истории платежей.</p>}
      {error && <p class="alert alert--error">{error.message}</p>}
      {id && !error && !receipt && <p aria-busy="true">Загружаем квитанцию…</p>}
      {receipt && (
        <article class="receipt" data-testid="receipt" aria-label="Квитанция об оплате">
          <dl class="receipt__facts">
            <div class="receipt__row">
              <dt>Получатель</dt>
              <dd>
                {receipt.payee.name}
                <br />
                {receipt.payee.address}
              </dd>
            </div>
            <div class="receipt__row">
              <dt>Реквизиты получателя</dt>
              <dd data-testid="receipt-payee">
                ИНН&nbsp;{receipt.payee.inn}, КПП&nbsp;{receipt.payee.kpp}
                <br />
                Р/с&nbsp;{receipt.payee.settlementAccount}
                <br />
                {receipt.payee.bankName}, БИК&nbsp;{receipt.payee.bic}
                <br />
                К/с&nbsp;{receipt.payee.correspondentAccount}
              </dd>
            </div>
            <div class="receipt__row">
              <dt>Плательщик</dt>
              <dd>
                {receipt.payer.owner}
                <br />
                {receipt.payer.address}
              </dd>
            </div>
            <div class="receipt__row">
              <dt>Лицевой счёт</dt>
              <dd>{receipt.payer.account}</dd>
            </div>
            <div class="receipt__row">
              <dt>Оплаченный период</dt>
              <dd data-testid="receipt-periods">
                {receipt.periods.length > 0
                  ? receipt.periods.map((period) => periodText(period)).join(', ')
                  : 'аванс в счёт будущих начислений'}
              </dd>
            </div>
            <div class="receipt__row">
              <dt>Дата и время оплаты (МСК)</dt>
              <dd>{formatDateTime(receipt.paidAt)}</dd>
            </div>
            <div class="receipt__row">
              <dt>Способ оплаты</dt>
              <dd>{receipt.channelText}</dd>
            </div>
            {receipt.reference && (
              <div class="receipt__row">
                <dt>Номер операции в банке</dt>
                <dd class="receipt__code">{receipt.reference}</dd>
              </div>
            )}
            <div class="receipt__row">
              <dt>Номер платежа</dt>
              <dd class="receipt__code">{receipt.id}</dd>
            </div>
          </dl>
          {receipt.services.length > 0 && (
            <table class="receipt__services">
              <caption>Зачислено по услугам</caption>
              <thead>
                <tr>
                  <th scope="col">Услуга</th>
                  <th scope="col" class="receipt__amount">
                    Сумма
                  </th>
                </tr>
              </thead>
              <tbody>
                {receipt.services.map((line) => (
                  <tr key={line.service}>
                    <th scope="row">{line.title}</th>
                    <td class="receipt__amount">{formatRoubles(line.amount)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <p class="receipt__total">
            Итого оплачено: <strong data-testid="receipt-total">{formatRoubles(receipt.amount)}</strong>
          </p>
          <p class="receipt__status">Статус: оплачено, зачислено на лицевой счёт</p>
        </article>
      )}
      <p class="button-row receipt__actions" data-testid="receipt-actions">
        {receipt && (
          <button type="button" class="button button--primary" onClick={() => window.print()}>
            Распечатать
          </button>
        )}
        <a class="button button--secondary" href="/payments">
          К платежам
        </a>
      </p>
    </PageFrame>
  );
}
