import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api/client';
import { type Accounts, getAccounts, switchAccount } from '../api/links';
import { useSession } from '../session';

/** «г. Старый Оскол, мкр. Жукова, д. 12, кв. 45» → «мкр. Жукова, д. 12, кв. 45»: the header has little room. */
export function shortAddress(address: string): string {
  return address.replace(/^\s*г\.\s*[^,]+,\s*/u, '');
}

/**
 * The header's choice of account, for a cabinet with more than one (docs/accounts.md#several-accounts-under-one-login):
 * readings, charges, payments and the ЕПД follow the chosen one. Nothing for a cabinet with one.
 */
export function AccountSwitcher() {
  const { me } = useSession();
  const [accounts, setAccounts] = useState<Accounts | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!me) {
      setAccounts(null);
      return;
    }
    const controller = new AbortController();
    getAccounts(controller.signal)
      .then(setAccounts)
      .catch(() => setAccounts(null));
    return () => controller.abort();
  }, [me?.account]);

  if (!accounts || accounts.items.length < 2) return null;

  async function choose(account: string) {
    setBusy(true);
    setError(null);
    try {
      await switchAccount(account);
      // Every page loaded its data for the previous account: start afresh on the same address.
      window.location.reload();
    } catch (caught) {
      setError(caught instanceof ApiError ? caught.message : 'Не удалось переключить лицевой счёт.');
      setBusy(false);
    }
  }

  return (
    <div class="account-switcher">
      <label class="visually-hidden" for="account-switcher">
        Лицевой счёт
      </label>
      <select
        id="account-switcher"
        class="account-switcher__select"
        data-testid="account-switcher"
        value={accounts.current}
        disabled={busy}
        aria-busy={busy}
        onChange={(event) => void choose((event.currentTarget as HTMLSelectElement).value)}
      >
        {accounts.items.map((item) => (
          <option key={item.account} value={item.account}>
            № {item.account} — {shortAddress(item.address)}
          </option>
        ))}
      </select>
      {error && (
        <p class="account-switcher__error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
