import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import Decimal from 'decimal.js';
import { balanceOf } from '#shared/billing/balance';
import { importKeyRates } from '#shared/billing/keyRatesImport';
import { startBillingRun } from '#shared/billing/run';
import { getRun } from '#shared/billing/store';
import { db, tableName } from '#shared/clients/dynamo';
import { keys } from '#shared/keys';
import { logger } from '#shared/logger';
import { recordBankPayment } from '#shared/payments/banks';
import { decimalsOf } from '#shared/readings/rules';
import { importRegistry, parseRegistry } from '#shared/registry/importRegistry';
import { formatRowError, type RegistryKind } from '#shared/registry/report';
import type { ServiceId } from '#shared/registry/services';
import { addMonths, moscowInstant, now, parsePeriod, periodOf } from '#shared/time';

export const DEMO_DIR = path.join(import.meta.dirname, 'demo');
const HISTORY_MONTHS = 12;

/** Typical monthly consumption per resident, for believable demo histories. */
const PER_RESIDENT: Partial<Record<ServiceId, number>> = {
  cold_water: 3.4,
  hot_water: 2.3,
  electricity: 85,
  electricity_day: 60,
  electricity_night: 28,
  gas: 9,
  heating: 0.35,
};

/** Higher in winter for electricity and gas, as the centre's real histories show. */
function seasonal(service: ServiceId, month: number): number {
  if (service === 'heating') return month >= 5 && month <= 9 ? 0 : 1.6 - Math.abs(month - 1.5) / 6;
  if (service.startsWith('electricity') || service === 'gas')
    return 1 + 0.25 * Math.cos(((month - 1) / 12) * 2 * Math.PI);
  return 1;
}

/** Deterministic noise, so every machine seeds the same history. */
function noise(seed: string): number {
  let h = 2166136261;
  for (const ch of seed) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  return 0.8 + ((h >>> 0) % 4000) / 10000;
}

interface MeterItem {
  account: string;
  serial: string;
  service: ServiceId;
  initialReading: string;
  verifiedUntil: string;
  digits: number;
}

async function importDemoFile(kind: RegistryKind): Promise<number> {
  const report = await importRegistry(kind, readFileSync(path.join(DEMO_DIR, `${kind}.csv`)));
  if (report.errors.length) {
    throw new Error(`Демо-данные (${kind}) с ошибками:\n${report.errors.map(formatRowError).join('\n')}`);
  }
  return report.loaded;
}

/**
 * A year of monthly readings per meter, ending with the period before the current one, each
 * submitted on the 26th; a meter whose verification has expired stops at its verification date.
 */
async function seedReadingHistory(accounts: Map<string, number>): Promise<number> {
  const current = periodOf(now());
  let written = 0;
  for (const [account, residents] of accounts) {
    const out = await db().send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :meter)',
        ExpressionAttributeValues: { ':pk': keys.account(account).pk, ':meter': keys.meterPrefix },
      }),
    );
    for (const meter of (out.Items ?? []) as MeterItem[]) {
      const decimals = decimalsOf(meter.service);
      let value = new Decimal(meter.initialReading);
      for (let back = HISTORY_MONTHS; back >= 1; back--) {
        const period = addMonths(current, -back);
        const { year, month } = parsePeriod(period);
        const submittedAt = moscowInstant(year, month, 26, 19, 30);
        if (submittedAt.toISOString().slice(0, 10) > meter.verifiedUntil) break;
        const monthly = (PER_RESIDENT[meter.service] ?? 0) * Math.max(1, residents) * seasonal(meter.service, month);
        const consumption = new Decimal(monthly * noise(`${meter.serial}${period}`)).toDecimalPlaces(decimals);
        const previous = value;
        value = value.plus(consumption).mod(new Decimal(10).pow(meter.digits));
        await db().send(
          new PutCommand({
            TableName: tableName(),
            Item: {
              ...keys.reading(account, meter.serial, period),
              ...keys.readingsOfPeriod(period, account, meter.serial),
              entity: 'reading',
              account,
              serial: meter.serial,
              service: meter.service,
              period,
              value: value.toFixed(decimals),
              consumption: consumption.toFixed(decimals),
              previous: previous.toFixed(decimals),
              source: 'seed',
              submittedAt: submittedAt.toISOString(),
            },
          }),
        );
        written++;
      }
    }
  }
  return written;
}

/**
 * Accounts that leave their last bills unpaid, so the demo has a debt, пени and a bill with
 * something to pay besides the month's charges.
 */
const DEBTORS = new Set(['100004']);
const UNPAID_MONTHS = 3;

/**
 * Bills the history's months oldest first through the operator's own run (shared/billing/run.ts,
 * fanned out through the local queue and drained before the next month, as recalculations of a
 * month need the one before billed), and pays each bill through the bank-payment code on the 12th
 * of the next month, as a resident paying in Сбербанк Онлайн would: the statement, the balances
 * and the ЕПД of every past month are then what the portal would show after a year of use.
 */
async function billHistory(
  accounts: readonly string[],
  drain: () => Promise<void>,
): Promise<{ months: number; failed: number }> {
  const current = periodOf(now());
  let failed = 0;
  for (let back = HISTORY_MONTHS; back >= 1; back--) {
    const period = addMonths(current, -back);
    const started = await startBillingRun({ period, source: 'seed' });
    await drain();
    failed += (await getRun(started.period, started.runId))?.failed ?? 0;
    const { year, month } = parsePeriod(addMonths(period, 1));
    const paidAt = moscowInstant(year, month, 12, 10, 0);
    // The last month's bill is the one a resident pays in the portal.
    if (back === 1 || paidAt > now()) continue;
    for (const account of accounts) {
      if (DEBTORS.has(account) && back <= UNPAID_MONTHS + 1) continue;
      const owed = (await balanceOf(account)).total;
      if (owed <= 0) continue;
      await recordBankPayment({
        bank: 'sberbank',
        transactionId: `DEMO-${account}-${period}`,
        account,
        amount: owed,
        paidAt: paidAt.toISOString(),
        via: 'registry',
        period,
      });
    }
  }
  return { months: HISTORY_MONTHS, failed };
}

/** Demo registry files beyond the three every start needs: imported when present. */
const OPTIONAL_FILES = ['providers'] as const;

/**
 * Loads the demo registry (through the operator's own import), a year of readings, and bills
 * that year (see billHistory), once per data folder; returns what it did, or undefined when the
 * data was already there. `drain` waits until the local queues (local/queue.ts) are empty: the
 * billing run's messages are delivered by them.
 */
export async function seedDemoData(options: { drain: () => Promise<void> }): Promise<string | undefined> {
  const marker = await db().send(new GetCommand({ TableName: tableName(), Key: keys.demoSeed() }));
  if (marker.Item) return undefined;
  const tariffs = await importDemoFile('tariffs');
  for (const kind of OPTIONAL_FILES) {
    if (existsSync(path.join(DEMO_DIR, `${kind}.csv`))) await importDemoFile(kind);
  }
  const keyRatesFile = path.join(DEMO_DIR, 'key-rates.csv');
  if (existsSync(keyRatesFile)) {
    const report = await importKeyRates(readFileSync(keyRatesFile));
    if (report.errors.length) {
      throw new Error(`Демо-данные (key-rates) с ошибками:\n${report.errors.map(formatRowError).join('\n')}`);
    }
  }
  const accountCount = await importDemoFile('accounts');
  const meters = await importDemoFile('meters');
  const parsed = parseRegistry('accounts', readFileSync(path.join(DEMO_DIR, 'accounts.csv')));
  const accounts = new Map(parsed.rows.map(({ row }) => [row.account, row.residents]));
  const readings = await seedReadingHistory(accounts);
  // A year of runs and payments would print hundreds of JSON lines over `npm start`'s own output.
  const level = logger.getLevelName();
  if (!process.env.POWERTOOLS_LOG_LEVEL) logger.setLogLevel('WARN');
  const billed = await billHistory([...accounts.keys()], options.drain).finally(() => logger.setLogLevel(level));
  if (billed.failed > 0) throw new Error(`Демо-данные: начисления не прошли по ${billed.failed} лицевым счетам`);
  await db().send(
    new PutCommand({ TableName: tableName(), Item: { ...keys.demoSeed(), seededAt: now().toISOString() } }),
  );
  return (
    `Загружены демо-данные: лицевых счетов — ${accountCount}, счётчиков — ${meters}, тарифов — ${tariffs}, ` +
    `показаний — ${readings} (за ${HISTORY_MONTHS} мес.); начислено и оплачено за ${billed.months} мес.`
  );
}
