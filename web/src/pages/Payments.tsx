import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api/client';
import { createPayment, listPayments, type Payment, type PaymentInput } from '../api/payments';
import { FormAlert, SubmitButton, TextField } from '../components/Form';
import { PageFrame } from '../components/PageFrame';
import { describeBalance, formatDateTime, formatRoubles } from '../format';
import { useFormStatus } from '../forms';
import { serviceTitle } from '../labels';
import { amountError, parseRoublesInput, prefilledAmount, splitRows, splitTotal } from '../paymentForm';
import { useSession } from '../session';
import '../payments.css';

type SplitRow = { service: string; value: string };

function PaymentForm() {
  const { me } = useSession();
  const { formRef, busy, error, send, passes, fieldError } = useFormStatus();
  const balance = me?.balance ?? { total: 0, services: [] };
  const [amount, setAmount] = useState(() => prefilledAmount(balance.total));
  const [split, setSplit] = useState(false);
  const [rows, setRows] = useState<SplitRow[]>(() => splitRows(balance.services));
  const debt = describeBalance(balance.total);
  const total = split ? splitTotal(rows) : parseRoublesInput(amount);

  async function submit(event: Event) {
    event.preventDefault();
    const fields: Record<string, string> = {};
    let body: PaymentInput;
    if (split) {
      rows.forEach((row, i) => {
        if (row.value.trim() === '') return;
        const problem = amountError(row.value);
        if (problem) fields[`services.${i}.amount`] = problem;
      });
      const shares = rows
        .map((row) => ({ service: row.service, amount: parseRoublesInput(row.value) ?? 0 }))
        .filter((share) => share.amount > 0);
      if (Object.keys(fields).length === 0 && shares.length === 0)
        fields.services = 'Укажите сумму хотя бы по одной услуге';
      body = { amount: shares.reduce((sum, s) => sum + s.amount, 0), services: shares };
    } else {
      const problem = amountError(amount);
      if (problem) fields.amount = problem;
      body = { amount: parseRoublesInput(amount) ?? 0 };
    }
    if (!passes(fields)) return;
    const result = await send(() => createPayment(body));
    // The bank's page: card data are entered there, never here.
    if (result.ok) window.location.assign(result.value.paymentUrl);
  }

  return (
    <form class="form payment-form" ref={formRef} onSubmit={submit} noValidate aria-labelledby="pay-heading">
      <h2 id="pay-heading">Оплатить картой</h2>
      <p class={`payment-form__debt payment-form__debt--${debt.kind}`} data-testid="payment-debt">
        {debt.label}
        {debt.kind !== 'settled' && `: ${debt.amount}`}
      </p>
      <FormAlert error={error} />
      {!split && (
        <TextField
          name="amount"
          label="Сумма, ₽"
          value={amount}
          onInput={setAmount}
          inputMode="text"
          autocomplete="off"
          maxLength={14}
          required
          error={fieldError('amount')}
          hint="Подставлена задолженность; можно заплатить больше (аванс) или меньше."
        />
      )}
      {rows.length > 0 && (
        <div class="field field--checkbox">
          <div class="checkbox">
            <input
              id="payment-split"
              type="checkbox"
              class="checkbox__input"
              checked={split}
              onChange={(event) => setSplit(event.currentTarget.checked)}
            />
            <label class="checkbox__label" for="payment-split">
              Распределить оплату по услугам
            </label>
          </div>
        </div>
      )}
      {split && (
        <fieldset class="payment-split" aria-describedby="split-hint">
          <legend>Сумма по услугам, ₽</legend>
          <p id="split-hint" class="field__hint">
            Оставьте поле пустым, чтобы не оплачивать услугу.
          </p>
          {fieldError('services') && <p class="field__error">{fieldError('services')}</p>}
          {rows.map((row, i) => (
            <TextField
              key={row.service}
              name={`service-${row.service}`}
              label={serviceTitle(row.service)}
              value={row.value}
              onInput={(value) => setRows(rows.map((r, j) => (j === i ? { ...r, value } : r)))}
              autocomplete="off"
              maxLength={14}
              error={fieldError(`services.${i}.amount`)}
            />
          ))}
        </fieldset>
      )}
      <p class="payment-form__total" aria-live="polite">
        К оплате: <strong data-testid="payment-total">{total !== undefined ? formatRoubles(total) : '—'}</strong>
      </p>
      <p class="payment-form__note">
        Вы перейдёте на защищённую страницу банка: данные карты вводятся только там, мы их не видим. Комиссия не
        взимается.
      </p>
      <SubmitButton busy={busy}>Оплатить</SubmitButton>
    </form>
  );
}

function statusClass(payment: Payment): string {
  if (payment.state === 'review') return 'payment-status--review';
  return `payment-status--${payment.status}`;
}

/** Every payment of the account, card and bank alike, newest first. */
export function PaymentHistory() {
  const [items, setItems] = useState<Payment[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  useEffect(() => {
    const abort = new AbortController();
    listPayments(abort.signal).then(
      (list) => setItems(list.items),
      (caught: unknown) => {
        if (caught instanceof ApiError) setError(caught);
      },
    );
    return () => abort.abort();
  }, []);
  return (
    <section class="section" aria-labelledby="history-heading">
      <h2 id="history-heading">История платежей</h2>
      {error && <p class="alert alert--error">{error.message}</p>}
      {!error && items === null && <p aria-busy="true">Загружаем платежи…</p>}
      {items?.length === 0 && <p>Платежей пока нет.</p>}
      {items && items.length > 0 && (
        <ul class="payment-list" data-testid="payment-history">
          {items.map((payment) => (
            <li key={payment.id} class="payment-list__item">
              <div class="payment-list__main">
                <span class="payment-list__amount">{formatRoubles(payment.amount)}</span>
                <span class={`payment-status ${statusClass(payment)}`}>{payment.statusText}</span>
              </div>
              <div class="payment-list__meta">
                {formatDateTime(payment.paidAt ?? payment.createdAt)} · {payment.channelText}
              </div>
              {payment.status === 'succeeded' && (
                <a class="payment-list__link" href={`/payments/receipt?id=${encodeURIComponent(payment.id)}`}>
                  Квитанция<span class="visually-hidden"> об оплате {formatRoubles(payment.amount)}</span>
                </a>
              )}
              {payment.paymentUrl && (
                <a class="payment-list__link" href={payment.paymentUrl}>
                  Продолжить оплату<span class="visually-hidden"> {formatRoubles(payment.amount)}</span>
                </a>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** /payments: pay by card (the debt prefilled, editable, optionally split by service) and the history. */
export function Payments() {
  const { me, refresh } = useSession();
  useEffect(() => {
    void refresh();
  }, [refresh]);
  return (
    <PageFrame title="Оплата">
      <p class="page__lead">
        Оплата жилищно-коммунальных услуг банковской картой. Деньги поступают на лицевой счёт сразу после подтверждения
        банка.
      </p>
      {me && <PaymentForm key={`${me.account}-${me.balance.total}`} />}
      <PaymentHistory />
    </PageFrame>
  );
}
