/** Shards of the per-period reading index and of the reminder subscriptions. */
export const READING_SHARDS = 16;
export const REMINDER_SHARDS = 8;

/** A stable shard of an account number (FNV-1a): the same account always lands in one shard. */
export function shardOf(account: string, shards: number): number {
  let h = 2166136261;
  for (let i = 0; i < account.length; i++) h = Math.imul(h ^ account.charCodeAt(i), 16777619);
  return (h >>> 0) % shards;
}

/** Shards of the accounts index: parallel pages for the billing run, no hot index partition. */
export const ACCOUNT_SHARDS = 16;

/** Shards of the open-payments index: a few partitions, each read by the reconciliation job. */
export const PAYMENT_SHARDS = 4;

/** Key shapes of the single table; every access path is a key, never a scan. */
export const keys = {
  account: (account: string) => ({ pk: `ACC#${account}`, sk: 'PROFILE' }),
  meter: (account: string, serial: string) => ({ pk: `ACC#${account}`, sk: `METER#${serial}` }),
  meterPrefix: 'METER#',
  tariff: (service: string, from: string) => ({ pk: 'TARIFF', sk: `${service}#${from}` }),
  /** One accepted reading of a meter for a period (history and consumption come from these). */
  reading: (account: string, serial: string, period: string) => ({
    pk: `ACC#${account}`,
    sk: `READING#${serial}#${period}`,
  }),
  readingPrefix: 'READING#',
  /**
   * gsi1 of a reading item: every reading of a period, for the operator's export (a paginated
   * Query per shard instead of a Scan). Sharded by account so the busiest evening of the window
   * does not write one index partition: 16 × ~1000 writes/s of headroom.
   */
  readingsOfPeriod: (period: string, account: string, serial: string) => ({
    gsi1pk: `READINGS#${period}#${shardOf(account, READING_SHARDS)}`,
    gsi1sk: `${account}#${serial}`,
  }),
  readingsOfPeriodShards: (period: string) =>
    Array.from({ length: READING_SHARDS }, (_, shard) => `READINGS#${period}#${shard}`),
  /**
   * gsi1 of a meter item: meters by the month their verification (поверка) ends, so the daily
   * warning job reads a month's partition by date range instead of scanning 250k meters.
   */
  meterVerification: (verifiedUntil: string, account: string, serial: string) => ({
    gsi1pk: `VERIFY#${verifiedUntil.slice(0, 7)}`,
    gsi1sk: `${verifiedUntil}#${account}#${serial}`,
  }),
  /**
   * A sparse item per registered resident who wants the window reminder, under one of a few
   * shard partitions: the reminder job queries these partitions, never the whole table.
   */
  reminderSubscription: (account: string) => ({
    pk: `REMINDERS#${shardOf(account, REMINDER_SHARDS)}`,
    sk: `ACC#${account}`,
  }),
  reminderShards: () => Array.from({ length: REMINDER_SHARDS }, (_, shard) => `REMINDERS#${shard}`),
  /**
   * Immutable ledger entries (opening balance, charge, recalculation, payment) of an account:
   * `LEDGER#<period>#<kind>#<id>`, each with lines per service; the balance is always the sum of
   * their lines. The model and its writers are described in shared/billing/ledger.ts.
   */
  ledgerPrefix: 'LEDGER#',
  /**
   * The accounts, enumerable without a scan: each account item carries `gsi1pk ACCOUNTS#<shard>`,
   * `gsi1sk <account>` (set by the registry import), so a billing run pages through them shard by
   * shard, in parallel, through gsi1.
   */
  accountIndex: (account: string) => ({ gsi1pk: `ACCOUNTS#${shardOf(account, ACCOUNT_SHARDS)}`, gsi1sk: account }),
  accountShardKey: (shard: number) => `ACCOUNTS#${shard}`,
  /** One billing run of a period: what it planned and what its batches did (counters). */
  billingRun: (period: string, runId: string) => ({ pk: `BILLING_RUN#${period}`, sk: runId }),
  /**
   * The ЕПД of a period mailed to an account's resident: written under a condition before the mail
   * goes out, so no run, retry or second worker mails the same bill twice (shared/epd/issue.ts).
   */
  epdMail: (account: string, period: string) => ({ pk: `ACC#${account}`, sk: `EPD_MAIL#${period}` }),
  /** One ЕПД issuance run of a period, with its batches' counters. */
  epdRun: (period: string, runId: string) => ({ pk: `EPD_RUN#${period}`, sk: runId }),
  supportTicket: (account: string, createdAt: string, id: string) => ({
    pk: `ACC#${account}`,
    sk: `TICKET#${createdAt}#${id}`,
  }),
  ticketPrefix: 'TICKET#',
  /**
   * A payment of an account (card through the acquirer, or reported by a bank), in the account's
   * own payments partition: the history is one query, newest first (ids start with their time),
   * and the billing run's range query of `ACC#<account>` never reads them.
   */
  payment: (account: string, id: string) => ({ pk: `PAYMENTS#${account}`, sk: id }),
  paymentsOf: (account: string) => `PAYMENTS#${account}`,
  /**
   * gsi1 of a payment that is not settled yet (created or pending): the reconciliation job finds
   * the ones pending too long by a range of `createdAt` in a few shard partitions, never a scan.
   * Removed when the payment settles.
   */
  openPayment: (id: string, createdAt: string) => ({
    gsi1pk: `PAYMENTS#OPEN#${shardOf(id, PAYMENT_SHARDS)}`,
    gsi1sk: `${createdAt}#${id}`,
  }),
  openPaymentShards: () => Array.from({ length: PAYMENT_SHARDS }, (_, shard) => `PAYMENTS#OPEN#${shard}`),
  /** gsi1 of a payment held for an operator's review (amount mismatch, money after a final status). */
  reviewPayment: (id: string, at: string) => ({ gsi1pk: 'PAYMENTS#REVIEW', gsi1sk: `${at}#${id}` }),
  /**
   * One item per bank transaction received (by notification or in the bank's daily registry): the
   * idempotency guard, written in the same transaction as the payment and its ledger entry.
   */
  bankTransaction: (bank: string, transactionId: string) => ({
    pk: `BANKTX#${bank}#${transactionId}`,
    sk: 'BANKTX',
  }),
  windowState: () => ({ pk: 'CONFIG', sk: 'READING_WINDOW' }),
  /** Marks that the local runtime has loaded its demo data. */
  demoSeed: () => ({ pk: 'CONFIG', sk: 'DEMO_SEED' }),
} as const;
