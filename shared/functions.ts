import type { SecretPurpose } from '#shared/secrets';

/**
 * Function groups: one Lambda per group, one bundle per group. A group's entry module exports
 * `handler`, which serves the group's HTTP routes (by routeKey) and its scheduled jobs (by `job`).
 * The CDK stack creates a NodejsFunction per group with exactly these grants; the local gateway
 * and scheduler import the same entry modules.
 */
export type TableAccess = 'none' | 'read' | 'readwrite';

export interface FunctionGroup {
  /** Entry module, relative to the project root. */
  entry: string;
  description: string;
  memoryMb: number;
  timeoutSeconds: number;
  tableAccess: TableAccess;
  sendsMail: boolean;
  /**
   * Texts SMS codes (shared/clients/sms.ts): the stack lets it send through the stage's origination
   * identity and configuration set only (infra/constructs/sms.ts), and names both in its variables.
   */
  sendsSms?: boolean;
  /**
   * The secrets it reads, by purpose (shared/secrets.ts): the stack grants exactly these and names
   * each one's ARN in its variable. Every group serving HTTP routes also reads `origin` (the stack
   * adds it: shared/http/origin.ts checks that a request came through CloudFront).
   */
  readsSecrets: readonly SecretPurpose[];
  /**
   * Prints PDFs with Chromium (@sparticuz/chromium): the stack gives it the renderer layer, x86_64
   * (the npm package ships an x64 binary only) and room in /tmp for the unpacked browser. Its memory
   * and timeout follow the package's advice: at least 1600 MB, and time for a cold start.
   */
  usesChromium?: boolean;
  /**
   * Concurrency reserved for (and capping) the function: the Chromium renderers would otherwise
   * take the account's concurrency from the HTTP groups, and a queue consumer's reservation keeps
   * its event source's `maxConcurrency` from being throttled (which would count a receive).
   */
  reservedConcurrency?: number;
  /**
   * The only partition-key prefixes the group writes (IAM `dynamodb:LeadingKeys`), given only where
   * every write of the group is certain from shared/keys.ts; absent: the whole table.
   */
  writesKeyPrefixes?: readonly string[];
  /**
   * The share of the account's SES send rate the group may use across all its concurrent
   * instances (bulk mail); the stack divides it among them (RAC_SES_SEND_RATE).
   */
  mailRateShare?: number;
  /**
   * X-Ray subsegments for each AWS SDK call (Powertools Tracer: shared/tracer.ts), for the queue and
   * job workers, whose long batches a trace explains. The others (the API functions) keep Lambda
   * active tracing's own segments and skip the X-Ray SDK's share of their cold start.
   */
  traceAwsCalls?: boolean;
}

export const FUNCTION_GROUPS = {
  system: {
    entry: 'functions/system/index.ts',
    description: 'Health check and the OpenAPI document',
    memoryMb: 256,
    timeoutSeconds: 5,
    tableAccess: 'none',
    sendsMail: false,
    readsSecrets: [],
  },
  auth: {
    entry: 'functions/auth/index.ts',
    description: 'Captcha, registration, login, logout, password recovery and change',
    // argon2id at 19 MiB per hash: headroom for a few concurrent hashes and a faster CPU share.
    memoryMb: 1024,
    timeoutSeconds: 10,
    tableAccess: 'readwrite',
    sendsMail: true,
    // The login code of a resident who turned on login by SMS code.
    sendsSms: true,
    readsSecrets: ['passport', 'session'],
  },
  residents: {
    entry: 'functions/residents/index.ts',
    description: 'The resident account, profile and support requests',
    memoryMb: 512,
    timeoutSeconds: 10,
    tableAccess: 'readwrite',
    sendsMail: true,
    // The phone confirmation code.
    sendsSms: true,
    readsSecrets: ['session'],
  },
  window: {
    entry: 'functions/window/index.ts',
    description: 'Opens and closes the monthly meter-reading window',
    memoryMb: 256,
    timeoutSeconds: 30,
    tableAccess: 'readwrite',
    sendsMail: false,
    readsSecrets: [],
    // The window state only (keys.windowState).
    writesKeyPrefixes: ['CONFIG'],
    traceAwsCalls: true,
  },
  readings: {
    entry: 'functions/readings/index.ts',
    description: 'Meters, reading submission (with and without login) and reading history',
    memoryMb: 512,
    timeoutSeconds: 10,
    tableAccess: 'readwrite',
    // A registered resident is told of readings sent for their account without logging in.
    sendsMail: true,
    // The session key, and the no-login ticket key derived from it.
    readsSecrets: ['session'],
  },
  readingMail: {
    entry: 'functions/readingMail/index.ts',
    description: 'Reading-window reminders, meter verification warnings and news to subscribers (bulk mail)',
    memoryMb: 512,
    // One shard of reminders per invocation; a shard that takes longer continues in a new message.
    timeoutSeconds: 300,
    tableAccess: 'readwrite',
    sendsMail: true,
    readsSecrets: [],
    // Its queues' maxConcurrency (8 + 2) and the jobs.
    reservedConcurrency: 12,
    mailRateShare: 0.3,
    traceAwsCalls: true,
  },
  billing: {
    entry: 'functions/billing/index.ts',
    description: 'The monthly billing run: the coordinator job and the billing queue consumer',
    memoryMb: 1024,
    // A batch is 100 accounts (a few seconds); a shard message pages ~1/16 of the accounts.
    timeoutSeconds: 300,
    tableAccess: 'readwrite',
    sendsMail: false,
    readsSecrets: [],
    // The billing queue's maxConcurrency (20) and the jobs.
    reservedConcurrency: 22,
    // Ledger entries (ACC#), run records, the schedule's claim of a period.
    writesKeyPrefixes: ['ACC#', 'BILLING_RUN#', 'SCHEDULED_RUN#'],
    traceAwsCalls: true,
  },
  statement: {
    entry: 'functions/statement/index.ts',
    description: 'Statement, charges and payments history, statement CSV, public tariffs',
    memoryMb: 512,
    timeoutSeconds: 10,
    // Reads only: the ledger is written by the billing run, payments and the operator's import.
    tableAccess: 'read',
    sendsMail: false,
    readsSecrets: ['session'],
  },
  payments: {
    entry: 'functions/payments/index.ts',
    description: 'Card payments through the acquirer, bank callbacks and bank notifications, receipts, reconciliation',
    memoryMb: 512,
    // A callback waits for the acquirer's order status (10 s timeout) before it writes; API Gateway
    // gives up at 30 s anyway. The reconciliation job settles a bounded batch per run.
    timeoutSeconds: 30,
    tableAccess: 'readwrite',
    // The receipt of a payment made without login (shared/payments/guestReceipt.ts).
    sendsMail: true,
    // The session key, the acquirer's credentials and callback key, the banks' keys.
    readsSecrets: ['session', 'acquirer', 'banks'],
  },
  epd: {
    entry: 'functions/epd/index.ts',
    description: 'The ЕПД (monthly bill) as PDF on demand',
    // @sparticuz/chromium: 1600 MB or more; 2048 MB also buys ~1.2 vCPU for printing.
    memoryMb: 2048,
    // API Gateway answers at 30 s at the latest; a cold start (unpack + launch) takes a few seconds.
    timeoutSeconds: 30,
    tableAccess: 'read',
    sendsMail: false,
    readsSecrets: ['session'],
    usesChromium: true,
    // 2048 MB each: twenty at once serve a busy evening's downloads and cannot crowd out the rest.
    reservedConcurrency: 20,
  },
  epdIssue: {
    entry: 'functions/epdIssue/index.ts',
    description: 'Monthly ЕПД issuance: renders the bills of subscribed residents and mails them as PDF',
    memoryMb: 2048,
    // A batch is 50 accounts: at worst 50 bills at ~0.2 s each plus mail, far below this.
    timeoutSeconds: 300,
    // Reads the ledger and subscriptions; writes the per-account mail markers and the run record.
    tableAccess: 'readwrite',
    sendsMail: true,
    readsSecrets: [],
    usesChromium: true,
    // The epd queue's maxConcurrency (10) and the jobs.
    reservedConcurrency: 12,
    // Mail markers (ACC#…EPD_MAIL#), run records, the schedule's claim of a period.
    writesKeyPrefixes: ['ACC#', 'EPD_RUN#', 'SCHEDULED_RUN#'],
    mailRateShare: 0.6,
    traceAwsCalls: true,
  },
} as const satisfies Record<string, FunctionGroup>;

export type FunctionGroupName = keyof typeof FUNCTION_GROUPS;
export const FUNCTION_GROUP_NAMES = Object.keys(FUNCTION_GROUPS) as FunctionGroupName[];
