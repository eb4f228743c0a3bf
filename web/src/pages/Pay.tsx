import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { type GuestPaymentCreated, startGuestPayment } from '../api/payments';
import { CaptchaField, useCaptcha } from '../components/Captcha';
import { AccountNumberField, FormAlert, SubmitButton, TextField } from '../components/Form';
import { PageFrame } from '../components/PageFrame';
import { formatRoubles } from '../format';
import { useFormStatus } from '../forms';
import { amountError, parseRoublesInput } from '../paymentForm';
import { accountError, collectErrors, digitsOnly, emailError } from '../validation';
import '../payments.css';

/**
 * /pay: paying for any account without login (a parent's flat, a tenant's). The account number,
 * the amount and the robot check open an order at the bank; the page then names the account's
 * owner as the server masks it («Иванова М. П.») so a mistyped number is caught before the card
 * is charged, and only then goes to the bank's page. Card data are entered there, never here.
 */
export function Pay() {
  const { query } = useLocation();
  const [account, setAccount] = useState(() => digitsOnly(query.account ?? '').slice(0, 6));
  const [amount, setAmount] = useState('');
  const [email, setEmail] = useState('');
  const [order, setOrder] = useState<(GuestPaymentCreated & { account: string }) | null>(null);
  const captcha = useCaptcha(order === null);
  const form = useFormStatus();

  async function submit(event: Event) {
    event.preventDefault();
    const checks = collectErrors({
      account: accountError(account),
      amount: amountError(amount),
      email: email.trim() ? emailError(email) : undefined,
      captchaAnswer: captcha.answerError(),
    });
    const solution = captcha.solution();
    if (!form.passes(checks) || !solution) return;
    const number = account.trim();
    const result = await form.send(() =>
      startGuestPayment({
        account: number,
        amount: parseRoublesInput(amount) ?? 0,
        ...solution,
        ...(email.trim() ? { email: email.trim() } : {}),
      }),
    );
    if (!result.ok) {
      // Each check answers one request, right or wrong.
      void captcha.reload();
      return;
    }
    setOrder({ ...result.value, account: number });
  }

  if (order) {
    return (
      <PageFrame title="Оплата без входа в личный кабинет" heading="Проверьте получателя платежа">
        <div class="receipt" data-testid="guest-payer">
          <dl class="receipt__facts">
            <div class="receipt__row">
              <dt>Лицевой счёт</dt>
              <dd>{order.account}</dd>
            </div>
            <div class="receipt__row">
              <dt>Сумма</dt>
              <dd>{formatRoubles(order.amount)}</dd>
            </div>
          </dl>
          <p class="payment-result__amount">
            Плательщик: <strong>{order.payer}</strong> — верно?
          </p>
          <p class="button-row">
            {/* A full navigation: the sandbox bank shares the site's origin locally, and the
                router would take a same-origin link for one of its pages. */}
            <button
              type="button"
              class="button button--primary"
              onClick={() => window.location.assign(order.paymentUrl)}
            >
              Да, перейти к оплате
            </button>
            <button type="button" class="button button--secondary" onClick={() => setOrder(null)}>
              Нет, изменить номер счёта
            </button>
          </p>
          <p class="payment-form__note">
            Данные карты вводятся на защищённой странице банка. Если плательщик не тот, ничего не оплачивайте: заказ в
            банке закроется сам.
          </p>
        </div>
      </PageFrame>
    );
  }

  return (
    <PageFrame title="Оплата без входа в личный кабинет">
      <p class="page__lead">
        Оплатите жилищно-коммунальные услуги за любой лицевой счёт — свой, родителей или квартиры, которую вы снимаете,
        — без регистрации. Понадобятся номер лицевого счёта из квитанции и банковская карта. Жителям с личным кабинетом
        удобнее <a href="/login">войти</a>: там видна задолженность.
      </p>
      <form class="form payment-form" ref={form.formRef} noValidate onSubmit={submit}>
        <FormAlert error={form.error} />
        <AccountNumberField value={account} onInput={setAccount} error={form.fieldError('account')} />
        <TextField
          name="amount"
          label="Сумма, ₽"
          value={amount}
          onInput={setAmount}
          inputMode="text"
          autocomplete="off"
          maxLength={14}
          required
          error={form.fieldError('amount')}
          hint="Например, 2543,00 — сумма из квитанции"
        />
        <TextField
          name="email"
          label="Электронная почта для квитанции об оплате"
          type="email"
          value={email}
          onInput={setEmail}
          error={form.fieldError('email')}
          inputMode="email"
          autocomplete="email"
          maxLength={254}
          hint="Пришлём квитанцию, когда банк подтвердит оплату"
        />
        <CaptchaField state={captcha} error={form.fieldError('captchaAnswer')} />
        <SubmitButton busy={form.busy}>Продолжить</SubmitButton>
      </form>
    </PageFrame>
  );
}
