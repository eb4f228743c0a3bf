/**
 * The single table's item model: every key, sort-key prefix and index key is built here, and
 * nowhere else; the table and its one index (`GSI1`) are defined in shared/tables.ts. No request
 * path scans: each access below is a GetItem, a Query of one partition (or of a few shards), or a
 * BatchGet by key. Item types live beside the code that owns them (named in the last column).
 *
 * | Entity (keys.…)          | pk                      | sk / gsi1sk                       | Index | Read by                                                                   |
 * |--------------------------|-------------------------|-----------------------------------|-------|---------------------------------------------------------------------------|
 * | account                  | ACC#<acc>               | PROFILE                           |       | accounts/store getAccount, with session/cabinet in one BatchGet; ranges    |
 * | accountIndex             | ACCOUNTS#<shard>        | <acc>                             | gsi1  | billing/store accountsOfShard (fan-out of billing and ЕПД runs)            |
 * | meter                    | ACC#<acc>               | METER#<serial>                    |       | readings/store meterReadingsOf (range METER#…READING#); billing range      |
 * | meterVerification        | VERIFY#<YYYY-MM>        | <date>#<acc>#<serial>             | gsi1  | readings/verificationWarnings (daily job, by date range)                   |
 * | reading                  | ACC#<acc>               | READING#<serial>#<period>         |       | readings/store meterReadingsOf (pages, banks' check); ЕПД and billing ranges |
 * | readingsOfPeriod         | READINGS#<period>#<sh>  | <acc>#<serial>                    | gsi1  | readings/export (operator's export, per shard)                             |
 * | readingsLock             | ACC#<acc>               | READINGS                          |       | readings/store meterReadingsOf (consistent: a submission, an import row)   |
 * | reminderSubscription     | REMINDERS#<shard>       | ACC#<acc>                         |       | readings/reminders (window reminder, per shard)                            |
 * | tariff                   | TARIFF                  | <service>#<from>                  |       | billing/store loadTariffs, cachedTariffs (billing, ЕПД, norms, «Тарифы»)   |
 * | keyRate                  | KEY_RATE                | <from YYYY-MM-DD>                 |       | billing/keyRates loadKeyRates (пени, once per billing batch)               |
 * | provider                 | PROVIDER                | PROVIDER#<code>                   |       | registry/providers loadProviders, cachedProviders (ЕПД: исполнители)       |
 * | serviceProvider          | PROVIDER                | SERVICE#<service>                 |       | registry/providers (which provider renders a service; latest import wins)  |
 * | ledgerEntry              | ACC#<acc>               | LEDGER#<period>#<kind>#<id>       |       | billing/store accountLedger (statement, accounts/home), loadAccountRecords; billing/balance balanceOf |
 * | billingRun               | BILLING_RUN#<period>    | <runId>                           |       | billing/store getRun, runsOf (CLI `billing status`)                        |
 * | epdMail                  | ACC#<acc>               | EPD_MAIL#<period>                 |       | epd/store markersOf, claimMail (ЕПД issuance)                              |
 * | epdRun                   | EPD_RUN#<period>        | <runId>                           |       | epd/store getIssueRun                                                      |
 * | scheduledRun             | SCHEDULED_RUN#<job>#<p> | RUN                               |       | fanout claimScheduledRun (a retried job joins its period's run)           |
 * | cabinet                  | ACC#<acc>               | CREDENTIALS                       |       | accounts/store (login, profile); epd/store recipientsAmong                 |
 * | session                  | ACC#<acc>               | SESSION#<id>                      |       | accounts/sessions (every authenticated request: see below; all at once)    |
 * | loginGuard               | ACC#<acc>               | LOGIN_GUARD                       |       | limits/attempts via accounts/loginGuard (login attempts and lock)          |
 * | accountLink              | ACC#<home>              | LINK#<acc>                        |       | accounts/linksStore (a cabinet's linked accounts: list, switch, unlink)    |
 * | accountLinkedBy          | ACC#<acc>               | LINKED_BY#<home>                  |       | accounts/linksStore (the cabinets that linked an account: its transfer)    |
 * | accountLimit             | LIMIT#<name>#<acc>      | LIMIT                             |       | limits/attempts (registration, recovery, no-login readings per account)   |
 * | addressLimit             | LIMIT#<name>#<hash>     | LIMIT                             |       | limits/sourceAddress (every unauthenticated route, per viewer address)    |
 * | linkToken                | TOKEN#<sha256>          | TOKEN                             |       | accounts/store (registration, recovery, e-mail change links)               |
 * | captcha                  | CAPTCHA#<id>            | CAPTCHA                           |       | accounts/store (forms without a session)                                   |
 * | phoneCode                | ACC#<acc>               | SMS_CODE#PHONE                    |       | accounts/store (the pending SMS code of a phone confirmation; one a cabinet)|
 * | loginChallenge           | LOGIN_CHALLENGE#<sha256>| CHALLENGE                         |       | accounts/store (login by SMS code: the challenge after the password)       |
 * | phoneLimit               | LIMIT#<name>#P<hmac>    | LIMIT                             |       | limits/attempts (SMS codes per phone number, by its keyed hash)            |
 * | quickPassUse             | QUICK_PASS#<id>         | USED                              |       | readings/store (a no-login pass carries one submission; TTL at its expiry) |
 * | suppressedAddress        | SUPPRESSED#<sha256>     | SUPPRESSED                        |       | mail/suppression (every send; the profile's bounce notice)                 |
 * | supportTicket            | ACC#<acc>               | TICKET#<cabinet>#<at>#<id>        |       | support/store (the threads of the account's current cabinet)               |
 * | guestSupportTicket       | GUEST_TICKETS#<day>     | TICKET#<at>#<id>                  |       | support/store (by its number, through supportTicketNumber)                 |
 * | supportMessage           | <ticket's pk>           | <ticket's sk>#MSG#<at>#<rand>     |       | support/store (a thread: the ticket's sk prefix, one query)                |
 * | supportTicketNumber      | SUPPORT_TICKET#<number> | TICKET                            |       | support/store findTicket (CLI and residents: number → the ticket's key)    |
 * | supportQueue             | SUPPORT#<status>        | <since>#<number>                  | gsi1  | support/store ticketsInQueue (CLI `support list`; open and answered only)  |
 * | payment                  | PAYMENTS#<acc>          | <paymentId>                       |       | payments/store getPayment, paymentsOf (history, receipts, callbacks)       |
 * | openPayment              | PAYMENTS#OPEN#<shard>   | <createdAt>#<paymentId>           | gsi1  | payments/store openPaymentsBefore (reconciliation job)                     |
 * | reviewPayment            | PAYMENTS#REVIEW         | <at>#<paymentId>                  | gsi1  | payments/store paymentsInReview (CLI `payments review`)                    |
 * | receiptDue               | PAYMENTS#RECEIPT_DUE    | <at>#<paymentId>                  | gsi1  | payments/guestReceipt retryDueReceipts (reconciliation job)                |
 * | bankTransaction          | BANKTX#<bank>#<txId>    | BANKTX                            |       | payments/store, payments/banks (idempotency of bank payments)              |
 * | news                     | NEWS                    | <id> (time-ordered)               |       | news/store latestNews (newest first, cached 30 s), getNews                 |
 * | newsSubscription         | NEWS_SUBSCRIBERS#<shard>| ACC#<acc>                         |       | news/mailing (each item's mail, per shard)                                 |
 * | newsMail                 | NEWS_MAIL#<newsId>      | ACC#<acc>                         |       | news/mailing claimNewsMail (one mail per item and account; TTL)            |
 * | newsWithdrawal           | NEWS_WITHDRAWN#<newsId> | WITHDRAWN                         |       | news/store newsWithdrawn (read before each mail claim: `news withdraw`)    |
 * | windowState              | CONFIG                  | READING_WINDOW                    |       | window/windowStore (cached 30 s per container)                             |
 * | demoSeed                 | CONFIG                  | DEMO_SEED                         |       | local/seed (local runtime only)                                            |
 *
 * The account's partition `ACC#<acc>` sorts CREDENTIALS < EPD_MAIL# < LEDGER# < LINK# < LINKED_BY# <
 * LOGIN_GUARD < METER# < PROFILE < READING# < READINGS < SESSION# < SMS_CODE# < TICKET#: billing reads
 * LEDGER#<from>…READING# in one range query (shared/billing/store.ts loadAccountRecords), a bill
 * LEDGER#…READING# (shared/epd/source.ts: the whole ledger, meters, PROFILE, readings), and both
 * skip the few items in between.
 *
 * A resident's request is the session check and, at most, one more request (issue 13; asserted by
 * test/integration/roundTrips.test.ts, documented in docs/round-trips.md):
 *
 * | Request                      | Requests to DynamoDB                                                           |
 * |------------------------------|--------------------------------------------------------------------------------|
 * | GET /api/me                  | BatchGet session+PROFILE+CREDENTIALS; Query begins_with LEDGER# (balance)       |
 * | GET /api/profile             | BatchGet session+PROFILE+CREDENTIALS; GetItem suppressedAddress                |
 * | GET /api/support             | BatchGet session+PROFILE+CREDENTIALS; Query TICKET#<cabinet>#                  |
 * | GET /api/accounts            | BatchGet session+PROFILE+CREDENTIALS; Query begins_with LINK# (with addresses) |
 * | GET /api/meters, /readings   | GetItem session; Query METER# … READING#\uffff (meters, PROFILE, readings)     |
 * | POST /api/readings           | Query METER# … SESSION#<id> (consistent: session, READINGS lock); one Transact |
 * | GET /api/statement*, payments| GetItem session; one Query (ledger range, PAYMENTS#<acc>) or BatchGet (receipt) |
 * | POST /api/auth/login         | limit UpdateItem ×2 (address, loginGuard); BatchGet; Transact session+guard    |
 * | … with login by SMS code     | the same, then limit UpdateItem ×2 (account, phone); Transact challenge+guard  |
 *
 * With a linked account current (the session item's `current`, accounts/links.ts), GET /api/me and
 * POST /api/readings read that account's record or meters with one more request.
 *
 * Window state, tariffs and norms come from per-container caches; the session's idle-timeout
 * refresh is one conditional UpdateItem at most once a minute (accounts/sessions.ts).
 */

/** Shards of the per-period reading index and of the reminder subscriptions. */
export const READING_SHARDS = 16;
export const REMINDER_SHARDS = 8;
/** Shards of the news subscriptions (keys.newsSubscription): one mailing message per shard. */
export const NEWS_SHARDS = 8;

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

/** A gsi1 partition of a period's readings (see keys.readingsOfPeriod). */
const readingsOfPeriodShard = (period: string, shard: number) => `READINGS#${period}#${shard}`;

/** The gsi1 partition of the meters whose verification ends in a month (`YYYY-MM`). */
const verificationsOfMonth = (month: string) => `VERIFY#${month}`;

const TARIFFS = 'TARIFF';
const PROVIDERS = 'PROVIDER';
const KEY_RATES = 'KEY_RATE';
const LEDGER = 'LEDGER#';
const PAYMENTS_IN_REVIEW = 'PAYMENTS#REVIEW';
const RECEIPTS_DUE = 'PAYMENTS#RECEIPT_DUE';
const NEWS = 'NEWS';

/** The partition of one news item's mail claims (keys.newsMail). */
const newsMailsOf = (newsId: string) => `NEWS_MAIL#${newsId}`;
const SUPPORT_MESSAGE = '#MSG#';
const SUPPORT_QUEUE = 'SUPPORT#';

/** The partition of a period's billing runs, newest last (run ids begin with their time). */
const billingRunsOf = (period: string) => `BILLING_RUN#${period}`;

/** The partition of a period's ЕПД issuance runs. */
const epdRunsOf = (period: string) => `EPD_RUN#${period}`;

/** Key shapes of the single table; every access path is a key, never a scan. */
export const keys = {
  account: (account: string) => ({ pk: `ACC#${account}`, sk: 'PROFILE' }),
  meter: (account: string, serial: string) => ({ pk: `ACC#${account}`, sk: `METER#${serial}` }),
  meterPrefix: 'METER#',
  /** A tariff from a period on; all tariffs share one small partition (tens of items), read whole. */
  tariff: (service: string, from: string) => ({ pk: TARIFFS, sk: `${service}#${from}` }),
  tariffs: TARIFFS,
  /**
   * The Bank of Russia key rate from a day on (`import key-rates`), for пени; one small partition
   * (a few items a year), read whole.
   */
  keyRate: (from: string) => ({ pk: KEY_RATES, sk: from }),
  keyRates: KEY_RATES,
  /** A provider (исполнитель) of services; providers and their services share one small partition, read whole. */
  provider: (code: string) => ({ pk: PROVIDERS, sk: `PROVIDER#${code}` }),
  /** Which provider renders a service: one item per service, so a later import moves a service cleanly. */
  serviceProvider: (service: string) => ({ pk: PROVIDERS, sk: `SERVICE#${service}` }),
  providers: PROVIDERS,
  /** One accepted reading of a meter for a period (history and consumption come from these). */
  reading: (account: string, serial: string, period: string) => ({
    pk: `ACC#${account}`,
    sk: `READING#${serial}#${period}`,
  }),
  readingPrefix: 'READING#',
  /**
   * The account's readings lock: `readingRev`, bumped under a condition by every transaction that
   * writes a reading of the account (a resident's page, a bank's, the operator's import). One item
   * per account rather than one write per meter: a submission of n meters is n + 1 items. Sorts
   * right after the readings (`READING#` < `READINGS` < `SESSION#`), so the submission's consistent
   * query reads it along.
   */
  readingsLock: (account: string) => ({ pk: `ACC#${account}`, sk: 'READINGS' }),
  /**
   * gsi1 of a reading item: every reading of a period, for the operator's export (a paginated
   * Query per shard instead of a Scan). Sharded by account so the busiest evening of the window
   * does not write one index partition: 16 × ~1000 writes/s of headroom.
   */
  readingsOfPeriod: (period: string, account: string, serial: string) => ({
    gsi1pk: readingsOfPeriodShard(period, shardOf(account, READING_SHARDS)),
    gsi1sk: `${account}#${serial}`,
  }),
  readingsOfPeriodShards: (period: string) =>
    Array.from({ length: READING_SHARDS }, (_, shard) => readingsOfPeriodShard(period, shard)),
  /**
   * gsi1 of a meter item: meters by the month their verification (поверка) ends, so the daily
   * warning job reads a month's partition by date range instead of scanning 250k meters.
   */
  meterVerification: (verifiedUntil: string, account: string, serial: string) => ({
    gsi1pk: verificationsOfMonth(verifiedUntil.slice(0, 7)),
    gsi1sk: `${verifiedUntil}#${account}#${serial}`,
  }),
  verificationsOfMonth,
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
  ledgerEntry: (account: string, period: string, kind: string, id: string) => ({
    pk: `ACC#${account}`,
    sk: `${LEDGER}${period}#${kind}#${id}`,
  }),
  ledgerPrefix: LEDGER,
  /** Where an account's entries from a period on begin: the lower bound of a range of the ledger. */
  ledgerFrom: (period: string) => `${LEDGER}${period}`,
  /**
   * The accounts, enumerable without a scan: each account item carries `gsi1pk ACCOUNTS#<shard>`,
   * `gsi1sk <account>` (set by the registry import), so a billing run pages through them shard by
   * shard, in parallel, through gsi1.
   */
  accountIndex: (account: string) => ({ gsi1pk: `ACCOUNTS#${shardOf(account, ACCOUNT_SHARDS)}`, gsi1sk: account }),
  accountShardKey: (shard: number) => `ACCOUNTS#${shard}`,
  /** One billing run of a period: what it planned and what its batches did (counters). */
  billingRun: (period: string, runId: string) => ({ pk: billingRunsOf(period), sk: runId }),
  billingRunsOf,
  /**
   * The ЕПД of a period mailed to an account's resident: written under a condition before the mail
   * goes out, so no run, retry or second worker mails the same bill twice (shared/epd/issue.ts).
   */
  epdMail: (account: string, period: string) => ({ pk: `ACC#${account}`, sk: `EPD_MAIL#${period}` }),
  /** One ЕПД issuance run of a period, with its batches' counters. */
  epdRun: (period: string, runId: string) => ({ pk: epdRunsOf(period), sk: runId }),
  epdRunsOf,
  /**
   * The run a scheduled job started for a period: the scheduler and Lambda retry a job that failed
   * or timed out, and the retry must join this run instead of starting a second one.
   */
  scheduledRun: (job: string, period: string) => ({ pk: `SCHEDULED_RUN#${job}#${period}`, sk: 'RUN' }),
  // Accounts (shared/accounts) and support (shared/support): the resident's cabinet and what
  // hangs off it. Link tokens and captchas have their own partitions: they are looked up by a
  // random id before anyone knows the account.
  /** The resident's cabinet (login record, contacts, subscriptions): exists once a password is set. */
  cabinet: (account: string) => ({ pk: `ACC#${account}`, sk: 'CREDENTIALS' }),
  /** A live session; the account's sessions are one query (`sessionPrefix`), so all can end at once. */
  session: (account: string, sessionId: string) => ({ pk: `ACC#${account}`, sk: `SESSION#${sessionId}` }),
  sessionPrefix: 'SESSION#',
  /** Failed logins of an account in the counting window, and its lock. */
  loginGuard: (account: string) => ({ pk: `ACC#${account}`, sk: 'LOGIN_GUARD' }),
  /**
   * Another account linked to a cabinet (several accounts under one login): under the cabinet's own
   * account, so the cabinet's list is one query of `accountLinkPrefix`; written and deleted together
   * with its reverse item (`accountLinkedBy`).
   */
  accountLink: (home: string, account: string) => ({ pk: `ACC#${home}`, sk: `LINK#${account}` }),
  accountLinkPrefix: 'LINK#',
  /**
   * The reverse of an `accountLink`, under the linked account: an ownership transfer of the account
   * finds every cabinet that linked it with one query of `accountLinkedByPrefix`, no scan.
   */
  accountLinkedBy: (account: string, home: string) => ({ pk: `ACC#${account}`, sk: `LINKED_BY#${home}` }),
  accountLinkedByPrefix: 'LINKED_BY#',
  /**
   * An attempt counter of a per-account limit (shared/limits/policy.ts), in its own partition: it
   * is written before anyone knows the account exists, and stays out of the account's partition.
   */
  accountLimit: (name: string, account: string) => ({ pk: `LIMIT#${name}#${account}`, sk: 'LIMIT' }),
  /** An attempt counter of a per-address limit, by a hash of the viewer's address (never the address). */
  addressLimit: (name: string, addressHash: string) => ({ pk: `LIMIT#${name}#${addressHash}`, sk: 'LIMIT' }),
  /** A mailed link's single-use token, by the SHA-256 of the token (never the token itself). */
  linkToken: (tokenHash: string) => ({ pk: `TOKEN#${tokenHash}`, sk: 'TOKEN' }),
  /** A captcha, by its random id; the answer is stored hashed. */
  captcha: (id: string) => ({ pk: `CAPTCHA#${id}`, sk: 'CAPTCHA' }),
  /**
   * The SMS code of a phone confirmation that waits to be typed (hashed, with its tries): one per
   * cabinet, a new request replaces it. Sorts after SESSION#, out of billing's LEDGER#…READING# range.
   */
  phoneCode: (account: string) => ({ pk: `ACC#${account}`, sk: 'SMS_CODE#PHONE' }),
  /**
   * The second step of a login by SMS code, by the SHA-256 of the random challenge the first step
   * answered (never the challenge itself); deleted by the step that uses it.
   */
  loginChallenge: (challengeHash: string) => ({ pk: `LOGIN_CHALLENGE#${challengeHash}`, sk: 'CHALLENGE' }),
  /** An attempt counter of a per-phone limit, by a keyed hash of the number (never the number). */
  phoneLimit: (name: string, phoneHash: string) => ({ pk: `LIMIT#${name}#P${phoneHash}`, sk: 'LIMIT' }),
  /**
   * The use of a no-login readings pass (its `jti`): written in the submission's own transaction
   * under attribute_not_exists, so a pass carries exactly one submission, even two at once.
   */
  quickPassUse: (passId: string) => ({ pk: `QUICK_PASS#${passId}`, sk: 'USED' }),
  /**
   * A support ticket of a logged-in resident, under the account and the cabinet it was written
   * from (its id, accounts/store cabinetIdOf): the resident's list is one query of their cabinet's
   * prefix, and a previous owner's tickets stay stored for the centre but out of the new owner's
   * list (personal data).
   */
  supportTicket: (account: string, cabinet: string, createdAt: string, id: string) => ({
    pk: `ACC#${account}`,
    sk: `TICKET#${cabinet}#${createdAt}#${id}`,
  }),
  /** Where a cabinet's tickets begin in the account's partition. */
  supportTicketsOfCabinet: (cabinet: string) => `TICKET#${cabinet}#`,
  /**
   * A guest's support ticket, by its Moscow day (`YYYY-MM-DD`, time.ts moscowDate): never under the
   * account it names, since anyone can type any account number.
   */
  guestSupportTicket: (day: string, createdAt: string, id: string) => ({
    pk: `GUEST_TICKETS#${day}`,
    sk: `TICKET#${createdAt}#${id}`,
  }),
  guestSupportTicketsOf: (day: string) => `GUEST_TICKETS#${day}`,
  supportTicketPrefix: 'TICKET#',
  /**
   * A message of a support thread after the first (which the ticket item holds), under the ticket's
   * own key: `<ticket sk>#MSG#<at>#<rand>`. Items of their own, not a list on the ticket, so a long
   * thread never meets the 400 KB item limit and two messages written at once are two puts that
   * cannot overwrite each other; the thread is one query of the ticket's sk prefix.
   */
  supportMessage: (ticket: { pk: string; sk: string }, at: string, rand: string) => ({
    pk: ticket.pk,
    sk: `${ticket.sk}${SUPPORT_MESSAGE}${at}#${rand}`,
  }),
  supportMessagesOf: (ticketSk: string) => `${ticketSk}${SUPPORT_MESSAGE}`,
  /**
   * A ticket's number (7 digits, read out on the phone) → where the ticket lives. Written with the
   * ticket under attribute_not_exists, so a number is never given twice; operators and residents
   * find a ticket by it without knowing its account.
   */
  supportTicketNumber: (id: string) => ({ pk: `SUPPORT_TICKET#${id}`, sk: 'TICKET' }),
  /**
   * gsi1 of a ticket that is not closed: `SUPPORT#open` (waiting for the centre) or
   * `SUPPORT#answered` (waiting for the resident), by the time it got there; removed on closing.
   * A small partition each (tickets of a city's day), read by the operators' `support list`.
   */
  supportQueue: (status: 'open' | 'answered', since: string, id: string) => ({
    gsi1pk: `${SUPPORT_QUEUE}${status}`,
    gsi1sk: `${since}#${id}`,
  }),
  supportQueueOf: (status: 'open' | 'answered') => `${SUPPORT_QUEUE}${status}`,
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
  reviewPayment: (id: string, at: string) => ({ gsi1pk: PAYMENTS_IN_REVIEW, gsi1sk: `${at}#${id}` }),
  paymentsInReview: PAYMENTS_IN_REVIEW,
  /**
   * gsi1 of a succeeded guest payment whose receipt mail SES surely refused: the reconciliation job
   * mails it again on its next pass (the payment has left the open-payments index by then). One
   * small partition: such receipts are rare and leave it once mailed or given up.
   */
  receiptDue: (id: string, at: string) => ({ gsi1pk: RECEIPTS_DUE, gsi1sk: `${at}#${id}` }),
  receiptsDue: RECEIPTS_DUE,
  /**
   * One item per bank transaction received (by notification or in the bank's daily registry): the
   * idempotency guard, written in the same transaction as the payment and its ledger entry.
   */
  bankTransaction: (bank: string, transactionId: string) => ({
    pk: `BANKTX#${bank}#${transactionId}`,
    sk: 'BANKTX',
  }),
  /**
   * A published news item (shared/news): all items share one partition, ids begin with the
   * publication time, so the newest are one Query read backwards. The public list reads it at most
   * every 30 s per container (news/store latestNews), so page views never make it hot.
   */
  news: (id: string) => ({ pk: NEWS, sk: id }),
  newsPartition: NEWS,
  /**
   * A sparse item per resident who wants news by mail (`newsByEmail`), under one of NEWS_SHARDS
   * partitions: each item's mailing queries these, never the table. The cabinet stays the truth.
   */
  newsSubscription: (account: string) => ({
    pk: `NEWS_SUBSCRIBERS#${shardOf(account, NEWS_SHARDS)}`,
    sk: `ACC#${account}`,
  }),
  newsSubscriberShards: () => Array.from({ length: NEWS_SHARDS }, (_, shard) => `NEWS_SUBSCRIBERS#${shard}`),
  /**
   * The claim of one news item's mail to one account, written under a condition before the mail
   * goes out: a redelivered or repeated mailing sends nobody the same item twice. In the item's own
   * partition, not the account's: billing's range query of `ACC#<acc>` never meets them.
   */
  newsMail: (newsId: string, account: string) => ({ pk: newsMailsOf(newsId), sk: `ACC#${account}` }),
  newsMailsOf: (newsId: string) => newsMailsOf(newsId),
  /**
   * The mark of a withdrawn news item (`news withdraw`), a small item of its own: the mailing reads it
   * (consistently) before each recipient's claim, which a read of the item itself, text and HTML up
   * to tens of kilobytes, would make many times dearer.
   */
  newsWithdrawal: (newsId: string) => ({ pk: `NEWS_WITHDRAWN#${newsId}`, sk: 'WITHDRAWN' }),
  windowState: () => ({ pk: 'CONFIG', sk: 'READING_WINDOW' }),
  /** Marks that the local runtime has loaded its demo data. */
  demoSeed: () => ({ pk: 'CONFIG', sk: 'DEMO_SEED' }),

  /** A mail address SES reported as bouncing or complaining, by the SHA-256 of its lower-cased form. */
  suppressedAddress: (addressHash: string) => ({ pk: `SUPPRESSED#${addressHash}`, sk: 'SUPPRESSED' }),
} as const;
