import type { Me } from '../api/accounts';
import { formatArea } from '../format';

/**
 * What the charges are computed from: the address, the total area (area and heating charges) and
 * the residents (norms and per-resident charges). The registry carries the total area only; there
 * is no living area to show. Any page with the session's `me` can include it.
 */
export function AccountCharacteristics({
  me,
  compact = false,
  lead = 'account',
}: {
  me: Me;
  compact?: boolean;
  /** The first row: the account number, or the owner where the heading already names the account. */
  lead?: 'account' | 'owner';
}) {
  return (
    <dl
      class={`facts${compact ? ' facts--compact' : ''}`}
      aria-label="Характеристики лицевого счёта"
      data-testid="account-facts"
    >
      {lead === 'owner' ? (
        <div class="facts__row">
          <dt>Владелец</dt>
          <dd data-testid="owner">{me.owner}</dd>
        </div>
      ) : (
        <div class="facts__row">
          <dt>Лицевой счёт</dt>
          <dd>{me.account}</dd>
        </div>
      )}
      <div class="facts__row">
        <dt>Адрес</dt>
        <dd>{me.address}</dd>
      </div>
      <div class="facts__row">
        <dt>Общая площадь</dt>
        <dd>{formatArea(me.area)}</dd>
      </div>
      <div class="facts__row">
        <dt>Проживающих</dt>
        <dd>{me.residents}</dd>
      </div>
    </dl>
  );
}
