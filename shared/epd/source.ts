import { getAccount } from '#shared/accounts/store';
import { accountLedger, cachedTariffs } from '#shared/billing/store';
import { config } from '#shared/config';
import type { EpdReadingSource, EpdSource } from '#shared/epd/model';
import { hasBill } from '#shared/epd/model';
import { metersOf, readingsOf } from '#shared/readings/store';
import { cachedProviders } from '#shared/registry/providers';
import { now } from '#shared/time';

/**
 * Reads what one account's bill is made of, by key only: the account's record, its ledger and
 * meters (in parallel), then, once the period is known to be billed, each meter's last two
 * readings up to the period. Tariffs and providers are the same for every bill of a batch: cached
 * briefly (cachedTariffs, cachedProviders).
 */

export type EpdSourceResult =
  | { status: 'billed'; source: EpdSource }
  | { status: 'no_account' }
  | { status: 'no_bill' };

export async function loadEpdSource(account: string, period: string): Promise<EpdSourceResult> {
  const [profile, ledger, meters, tariffList, providers] = await Promise.all([
    getAccount(account),
    accountLedger(account),
    metersOf(account),
    cachedTariffs(),
    cachedProviders(),
  ]);
  if (!profile) return { status: 'no_account' };
  if (!hasBill(ledger, period)) return { status: 'no_bill' };
  const readings = new Map<string, EpdReadingSource[]>();
  await Promise.all(
    meters.map(async (meter) => {
      const items = await readingsOf(account, meter.serial, { to: period, limit: 2 });
      readings.set(
        meter.serial,
        items.map((r) => ({
          serial: r.serial,
          period: r.period,
          value: r.value,
          ...(r.previous !== undefined ? { previous: r.previous } : {}),
          consumption: r.consumption,
        })),
      );
    }),
  );
  return {
    status: 'billed',
    source: {
      account,
      period,
      payer: {
        owner: profile.owner,
        address: profile.address,
        area: profile.area,
        residents: profile.residents,
        ...(profile.els ? { els: profile.els } : {}),
        ...(profile.izhku ? { izhku: profile.izhku } : {}),
      },
      ledger,
      tariffs: tariffList,
      meters: meters.map((m) => ({
        serial: m.serial,
        service: m.service,
        initialReading: m.initialReading,
        verifiedUntil: m.verifiedUntil,
      })),
      readings,
      issuedAt: now(),
      publicUrl: config().publicUrl,
      providers,
    },
  };
}
