import type { LedgerEntry } from '#shared/billing/ledger';
import { cachedTariffs } from '#shared/billing/store';
import { queryAll } from '#shared/clients/dynamo';
import { config } from '#shared/config';
import type { EpdReadingSource, EpdSource } from '#shared/epd/model';
import { hasBill } from '#shared/epd/model';
import { keys } from '#shared/keys';
import type { MeterRecord, ReadingRecord } from '#shared/readings/store';
import { cachedProviders } from '#shared/registry/providers';
import type { AccountRecord } from '#shared/registry/repository';
import { now } from '#shared/time';

/**
 * Reads what one account's bill is made of in one query of its partition: the sort keys LEDGER#,
 * METER#, PROFILE and READING# are contiguous (shared/keys.ts), so the range from the ledger's
 * first entry to the last reading holds the whole ledger, the meters, the registry's record and
 * every reading (the few items sorting in between — links, the login guard — are skipped), as
 * billing reads it (loadAccountRecords). A query per meter cost a round trip each, and the bill is
 * read again for every download to check the stored file. Tariffs and providers are the same for
 * every bill of a batch: cached briefly (cachedTariffs, cachedProviders).
 */

export type EpdSourceResult =
  | { status: 'billed'; source: EpdSource }
  | { status: 'no_account' }
  | { status: 'no_bill' };

export async function loadEpdSource(account: string, period: string): Promise<EpdSourceResult> {
  const [items, tariffList, providers] = await Promise.all([
    queryAll<Record<string, unknown>>({
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: {
        ':pk': keys.account(account).pk,
        ':from': keys.ledgerPrefix,
        ':to': `${keys.readingPrefix}\uffff`,
      },
    }),
    cachedTariffs(),
    cachedProviders(),
  ]);
  let profile: AccountRecord | undefined;
  const ledger: LedgerEntry[] = [];
  const meters: MeterRecord[] = [];
  const allReadings: ReadingRecord[] = [];
  for (const item of items) {
    const sk = String(item.sk);
    if (sk === keys.account(account).sk) profile = item as unknown as AccountRecord;
    else if (sk.startsWith(keys.ledgerPrefix)) ledger.push(item as unknown as LedgerEntry);
    else if (sk.startsWith(keys.meterPrefix)) meters.push(item as unknown as MeterRecord);
    else if (sk.startsWith(keys.readingPrefix)) allReadings.push(item as unknown as ReadingRecord);
  }
  if (!profile) return { status: 'no_account' };
  if (!hasBill(ledger, period)) return { status: 'no_bill' };
  // Each meter's last two readings up to the period, newest first.
  const readings = new Map<string, EpdReadingSource[]>();
  for (const meter of meters) {
    const lastTwo = allReadings
      .filter((r) => r.serial === meter.serial && r.period <= period)
      .sort((a, b) => b.period.localeCompare(a.period))
      .slice(0, 2);
    readings.set(
      meter.serial,
      lastTwo.map((r) => ({
        serial: r.serial,
        period: r.period,
        value: r.value,
        ...(r.previous !== undefined ? { previous: r.previous } : {}),
        consumption: r.consumption,
      })),
    );
  }
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
