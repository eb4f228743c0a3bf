import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api/client';
import { type Accounts, getAccounts, linkAccount, switchAccount, unlinkAccount } from '../api/links';
import { useFormStatus } from '../forms';
import { accountError, collectErrors, requiredError } from '../validation';
import { shortAddress } from './AccountSwitcher';
import { AccountNumberField, FormAlert, SubmitButton, TextField } from './Form';

/**
 * The profile's «Лицевые счета»: the cabinet's accounts, «Добавить лицевой счёт» (the account's
 * number and its owner's passport, checked against the registry as at registration) and removal of
 * an added one. The cabinet's own account stays: it is the login.
 */
export function LinkedAccountsSection() {
  const [accounts, setAccounts] = useState<Accounts | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [account, setAccount] = useState('');
  const [passport, setPassport] = useState('');
  const [added, setAdded] = useState<string | null>(null);
  const [removing, setRemoving] = useState<string | null>(null);
  const form = useFormStatus();

  const load = useCallback(async () => {
    try {
      setAccounts(await getAccounts());
      setLoadError(null);
    } catch (caught) {
      setLoadError(caught instanceof ApiError ? caught.message : 'Не удалось загрузить лицевые счета.');
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  async function submit(event: Event) {
    event.preventDefault();
    setAdded(null);
    const checks = collectErrors({
      account: accountError(account),
      passport: requiredError(passport, 'Укажите серию и номер паспорта собственника'),
    });
    if (!form.passes(checks)) return;
    const result = await form.send(() => linkAccount({ account: account.trim(), passport }));
    setPassport('');
    if (!result.ok) return;
    setAdded(`Лицевой счёт № ${result.value.account} добавлен.`);
    setAccount('');
    await load();
  }

  async function remove(number: string) {
    setRemoving(number);
    try {
      await unlinkAccount(number);
      // A removed current account sends the session home: reload so every page shows that.
      if (accounts?.current === number) window.location.reload();
      else await load();
    } catch (caught) {
      setLoadError(caught instanceof ApiError ? caught.message : 'Не удалось удалить лицевой счёт.');
    } finally {
      setRemoving(null);
    }
  }

  async function open(number: string) {
    try {
      await switchAccount(number);
      window.location.assign('/');
    } catch (caught) {
      setLoadError(caught instanceof ApiError ? caught.message : 'Не удалось переключить лицевой счёт.');
    }
  }

  return (
    <section class="panel" aria-labelledby="accounts-heading" data-testid="linked-accounts">
      <h2 id="accounts-heading">Лицевые счета</h2>
      <p>
        В один кабинет можно добавить другие лицевые счета — гараж, квартиру родителей — и переключаться между ними в
        шапке сайта. Показания, начисления, оплата и ЕПД — по выбранному счёту.
      </p>
      {loadError && (
        <p class="notice notice--inline" role="alert">
          {loadError}
        </p>
      )}
      {accounts && (
        <ul class="linked-accounts">
          {accounts.items.map((item) => (
            <li key={item.account} class="linked-accounts__item">
              <span>
                <strong>№&nbsp;{item.account}</strong> — {shortAddress(item.address)}
                {item.home && ' (основной, по нему вход)'}
                {item.account === accounts.current && ' · выбран'}
              </span>
              {item.account !== accounts.current && (
                <button
                  type="button"
                  class="button button--secondary button--small"
                  onClick={() => void open(item.account)}
                >
                  Перейти
                </button>
              )}
              {!item.home && (
                <button
                  type="button"
                  class="button button--secondary button--small"
                  onClick={() => void remove(item.account)}
                  disabled={removing === item.account}
                  aria-busy={removing === item.account}
                >
                  Удалить из кабинета
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      <h3>Добавить лицевой счёт</h3>
      <form class="form" ref={form.formRef} onSubmit={submit} noValidate>
        <FormAlert error={form.error} />
        <AccountNumberField value={account} onInput={setAccount} error={form.fieldError('account')} />
        <TextField
          name="passport"
          label="Серия и номер паспорта собственника"
          hint="Как при регистрации: сверяем с данными РАЦ. Паспорт не сохраняется в открытом виде"
          value={passport}
          onInput={setPassport}
          error={form.fieldError('passport')}
          autocomplete="off"
          maxLength={40}
          required
        />
        <SubmitButton busy={form.busy}>Добавить лицевой счёт</SubmitButton>
        <p class="form__saved" role="status">
          {added}
        </p>
      </form>
    </section>
  );
}
