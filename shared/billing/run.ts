import { lazySchema } from '#shared/api/lazySchema';
import { advanceOffset } from '#shared/billing/allocation';
import { billAccount } from '#shared/billing/charges';
import { cachedKeyRates } from '#shared/billing/keyRates';
import {
  type LedgerEntry,
  type OffsetEntry,
  offsetEntry,
  type PenaltyEntry,
  penaltyEntry,
} from '#shared/billing/ledger';
import { type KeyRate, penaltyForPeriod } from '#shared/billing/penalties';
import {
  addToRun,
  cachedTariffs,
  createRun,
  loadAccountRecords,
  type RunCounters,
  writeBill,
  ZERO_COUNTERS,
} from '#shared/billing/store';
import type { Tariff } from '#shared/billing/tariffs';
import { forEachConcurrently } from '#shared/concurrency';
import {
  checkRunCompleted,
  completeRunIfDone,
  planRunShard,
  type RunKind,
  type RunMessage,
  runMessageSchema,
  type StartedRun,
  startRun,
} from '#shared/fanout';
import { keys } from '#shared/keys';
import { logger } from '#shared/logger';
import { OPS_METRIC } from '#shared/metrics';
import { addMonths, now, PERIOD_RE, periodOf } from '#shared/time';

/**
 * The monthly billing run, fanned out through the billing queue (shared/queues.ts):
 * 1. the coordinator (the `billing.run` job, or `npm run rac -- billing run`) records the run and
 *    sends one message per shard of the accounts index;
 * 2. a shard message pages through its shard of gsi1 and sends one message per batch of accounts;
 * 3. a batch message bills its accounts, each with one query and one conditional write.
 * Every step is safe to repeat: a redelivered message re-sends batches whose accounts are then
 * found billed. 100k accounts are ~1000 batch invocations, never one Lambda's 15 minutes.
 */

export const BATCH_SIZE = 100;
/** Accounts of one batch billed at once: DynamoDB round trips overlap, memory stays small. */
export const ACCOUNT_CONCURRENCY = 8;

export const BillingMessage = /* @__PURE__ */ lazySchema(() => runMessageSchema(BATCH_SIZE));
export type BillingMessage = RunMessage;

export class BillingRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BillingRefused';
  }
}

/** The period a run on `at` closes: the month before. */
export function closedPeriod(at: Date = now()): string {
  return addMonths(periodOf(at), -1);
}

/** A period can be billed once it has ended (Moscow time). */
export function checkBillable(period: string, at: Date = now()): void {
  if (!PERIOD_RE.test(period)) throw new BillingRefused(`период ${period}: ожидается ГГГГ-ММ, например 2026-10`);
  const current = periodOf(at);
  if (period >= current) {
    throw new BillingRefused(`период ${period} ещё не закончился: начислять можно по ${addMonths(current, -1)}`);
  }
}

export type { StartedRun } from '#shared/fanout';

const BILLING_RUN: RunKind = {
  queue: 'billing',
  batchSize: BATCH_SIZE,
  name: 'Billing run',
  missingLog: 'No completed billing run',
  checkPeriod: checkBillable,
  createRecord: createRun,
  addToRecord: addToRun,
  recordKey: keys.billingRun,
  runsOf: keys.billingRunsOf,
  completedMetric: OPS_METRIC.billingRunCompleted,
  missingMetric: OPS_METRIC.billingRunMissing,
};

/**
 * The coordinator: records the run and fans out one message per accounts shard. Started by the
 * schedule (`job`), a retry of the same job for the same period joins the run it started.
 */
export async function startBillingRun(options: { period?: string; source: string; job?: string }): Promise<StartedRun> {
  const at = now();
  return startRun(BILLING_RUN, { ...options, period: options.period ?? closedPeriod(at), at });
}

/**
 * The deadline check (the `billing.check` job, the morning after the run): counts a missing run
 * when no billing run of the closed month has completed, which the stack alarms on.
 */
export function checkBillingRunCompleted(at: Date = now()): Promise<{ period: string; completed: boolean }> {
  return checkRunCompleted(BILLING_RUN, closedPeriod(at));
}

export async function handleBillingMessage(body: unknown): Promise<void> {
  const message = BillingMessage.parse(body);
  if (message.type === 'shard') await planRunShard(BILLING_RUN, message);
  else await billBatch(message);
}

export type AccountOutcome =
  | {
      status: 'billed';
      charged: number;
      recalcAmount: number;
      recalculated: boolean;
      withoutTariff: number;
      penalty: number;
      advanceApplied: number;
      withoutKeyRate: boolean;
    }
  | { status: 'already_billed' | 'not_found' | 'failed' }
  | { status: 'nothing_to_bill'; withoutKeyRate: boolean };

/**
 * What the run of `period` adds to an account's new charges: the пени accrued in the month
 * (shared/billing/penalties.ts) and the advance applied to what is owed (ПП РФ № 354 п. 118,
 * shared/billing/allocation.ts). Pure: the same ledger gives the same entries.
 */
export function paymentsAtBilling(
  ledger: readonly LedgerEntry[],
  billed: ReadonlyArray<LedgerEntry | undefined>,
  period: string,
  rates: readonly KeyRate[],
  createdAt: string,
): { penalty?: PenaltyEntry; offset?: OffsetEntry; withoutKeyRate: boolean } {
  const account = ledger[0]?.account ?? billed.find((e) => e)?.account;
  if (!account) return { withoutKeyRate: false };
  const outcome = penaltyForPeriod(ledger, rates, period);
  const penalty = outcome.status === 'line' ? penaltyEntry(account, period, outcome.line, createdAt) : undefined;
  const after = [...ledger, ...billed.filter((e): e is LedgerEntry => e !== undefined), ...(penalty ? [penalty] : [])];
  const lines = advanceOffset(after);
  return {
    ...(penalty ? { penalty } : {}),
    ...(lines.length > 0 ? { offset: offsetEntry(account, period, lines, createdAt) } : {}),
    withoutKeyRate: outcome.status === 'no_key_rate',
  };
}

/** Bills one account for the period: one query of its partition, one conditional write. */
export async function billOneAccount(
  account: string,
  period: string,
  tariffs: readonly Tariff[],
  rates: readonly KeyRate[] = [],
): Promise<AccountOutcome> {
  // The whole ledger, not only the recalculation look-back: пени run on any bill still unpaid, and
  // an advance pays the oldest debt. An account's ledger grows by ~30 KB a year.
  const records = await loadAccountRecords(account, '');
  if (!records) return { status: 'not_found' };
  let bill: ReturnType<typeof billAccount>;
  let settled: ReturnType<typeof paymentsAtBilling>;
  try {
    const createdAt = now().toISOString();
    bill = billAccount({ ...records, tariffs }, records.ledger, period, createdAt);
    if (bill.status === 'already_billed') return { status: 'already_billed' };
    settled = paymentsAtBilling(records.ledger, [bill.charge, bill.recalc], period, rates, createdAt);
  } catch (error) {
    // Bad registry values (an area that is not a number) fail this account, not its batch; the
    // account is named in the run record for the operator, not in the logs.
    logger.warn('Account could not be billed', { error: (error as Error).message });
    return { status: 'failed' };
  }
  const entries = [bill.charge, bill.recalc, settled.penalty, settled.offset].filter((e) => e !== undefined);
  if (entries.length === 0) return { status: 'nothing_to_bill', withoutKeyRate: settled.withoutKeyRate };
  const written = await writeBill(...entries);
  if (!written) return { status: 'already_billed' };
  return {
    status: 'billed',
    charged: bill.charge?.total ?? 0,
    recalcAmount: bill.recalc?.total ?? 0,
    recalculated: bill.recalc !== undefined,
    withoutTariff: bill.withoutTariff.length,
    penalty: settled.penalty?.total ?? 0,
    advanceApplied: settled.offset?.lines.find((l) => l.service === 'advance')?.amount ?? 0,
    withoutKeyRate: settled.withoutKeyRate,
  };
}

/** Bills a batch of accounts and adds what happened to the run's counters. */
export async function billBatch(message: Extract<BillingMessage, { type: 'batch' }>): Promise<RunCounters> {
  const [tariffs, rates] = await Promise.all([cachedTariffs(), cachedKeyRates()]);
  const counters: RunCounters = { ...ZERO_COUNTERS, batchesDone: 1, accounts: message.accounts.length };
  const failed: string[] = [];
  // A DynamoDB error fails the message: the queue redelivers it, and what was written stays written.
  await forEachConcurrently(message.accounts, ACCOUNT_CONCURRENCY, async (account) => {
    const outcome = await billOneAccount(account, message.period, tariffs, rates);
    switch (outcome.status) {
      case 'billed':
        counters.billed++;
        counters.charged += outcome.charged;
        counters.recalcAmount += outcome.recalcAmount;
        if (outcome.recalculated) counters.recalculated++;
        if (outcome.withoutTariff > 0) counters.withoutTariff++;
        if (outcome.penalty !== 0) {
          counters.penalized++;
          counters.penaltyAmount += outcome.penalty;
        }
        if (outcome.advanceApplied > 0) {
          counters.advanceApplied++;
          counters.advanceAmount += outcome.advanceApplied;
        }
        if (outcome.withoutKeyRate) counters.withoutKeyRate++;
        break;
      case 'already_billed':
        counters.alreadyBilled++;
        break;
      case 'nothing_to_bill':
        counters.nothingToBill++;
        if (outcome.withoutKeyRate) counters.withoutKeyRate++;
        break;
      case 'not_found':
        counters.notFound++;
        break;
      case 'failed':
        counters.failed++;
        failed.push(account);
        break;
    }
  });
  await addToRun(message.period, message.runId, counters, failed);
  await completeRunIfDone(keys.billingRun(message.period, message.runId), OPS_METRIC.billingRunCompleted);
  return counters;
}
