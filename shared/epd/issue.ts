import { lazySchema } from '#shared/api/lazySchema';
import { closedPeriod } from '#shared/billing/run';
import { sendRawMail, surelyNotSent } from '#shared/clients/mail';
import { forEachConcurrently } from '#shared/concurrency';
import { epdOf, epdPdf } from '#shared/epd/bill';
import { epdMail } from '#shared/epd/mails';
import {
  addToIssueRun,
  claimMail,
  confirmMail,
  createIssueRun,
  type IssueCounters,
  markersOf,
  type Recipient,
  recipientsAmong,
  releaseMail,
  ZERO_ISSUE_COUNTERS,
} from '#shared/epd/store';
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
import { now, PERIOD_RE } from '#shared/time';

/**
 * The monthly issuance of the ЕПД by mail, fanned out through the `epd` queue (shared/queues.ts)
 * like the billing run it follows:
 * 1. the coordinator (the `epd.issue` job) records the run and sends one message per shard of the
 *    accounts index;
 * 2. a shard message pages through its shard and sends one message per batch of accounts;
 * 3. a batch message reads which of its accounts want the bill by mail (one BatchGet), skips those
 *    already mailed (one BatchGet of markers), and for each of the rest renders the bill and mails
 *    it as a PDF attachment, claiming the account's marker first (shared/epd/store.ts).
 * Only subscribers' bills are printed: everyone else downloads theirs on demand (GET
 * /api/epd/{period}), printed from the same ledger, so nothing is printed that nobody reads. A
 * printed bill is stored, and the download of the same state serves that file.
 * Re-running the job, or a redelivered message, mails nobody twice.
 */

export const EPD_BATCH_SIZE = 50;
/** Accounts of a batch worked on at once: their reads overlap with the (bounded) rendering. */
const ACCOUNT_CONCURRENCY = 4;

export const EpdMessage = /* @__PURE__ */ lazySchema(() => runMessageSchema(EPD_BATCH_SIZE));
export type EpdMessage = RunMessage;

/** A started ЕПД issuance run. */
export type StartedIssue = StartedRun;

const EPD_RUN: RunKind = {
  queue: 'epd',
  batchSize: EPD_BATCH_SIZE,
  name: 'ЕПД issuance',
  missingLog: 'No completed ЕПД issuance',
  checkPeriod: (period) => {
    if (!PERIOD_RE.test(period)) throw new RangeError(`Not a period: ${period}`);
  },
  createRecord: createIssueRun,
  addToRecord: addToIssueRun,
  recordKey: keys.epdRun,
  runsOf: keys.epdRunsOf,
  completedMetric: OPS_METRIC.epdRunCompleted,
  missingMetric: OPS_METRIC.epdRunMissing,
};

/**
 * The coordinator: the bills of the closed month (the one the billing run has just charged). Each
 * scheduled job (`job`: the issue and the catch-up) starts one run per period; its retries join it.
 */
export async function startEpdIssue(options: { period?: string; source: string; job?: string }): Promise<StartedIssue> {
  const at = now();
  return startRun(EPD_RUN, { ...options, period: options.period ?? closedPeriod(at), at });
}

/** The deadline check (the `epd.check` job): counts a missing issuance of the closed month. */
export function checkEpdIssueCompleted(at: Date = now()): Promise<{ period: string; completed: boolean }> {
  return checkRunCompleted(EPD_RUN, closedPeriod(at));
}

export async function handleEpdMessage(body: unknown): Promise<void> {
  const message = EpdMessage.parse(body);
  if (message.type === 'shard') await planRunShard(EPD_RUN, message);
  else await issueBatch(message);
}

type Outcome = 'sent' | 'alreadySent' | 'noBill' | { failed: 'retry' | 'permanent' };

/** SES refuses these for good (a bad address, an unverified sender): retrying cannot help. */
const PERMANENT_SES_ERRORS = new Set([
  'MessageRejected',
  'InvalidParameterValue',
  'MailFromDomainNotVerifiedException',
]);

async function issueOne(
  recipient: Recipient,
  period: string,
  runId: string,
  counters: IssueCounters,
): Promise<Outcome> {
  const epd = await epdOf(recipient.account, period);
  if (!epd) return 'noBill';
  // The file the resident downloads too: printed once, by whichever asks first (shared/epd/bill.ts).
  const { pdf } = await epdPdf(epd);
  const at = now().toISOString();
  if (!(await claimMail(recipient.account, period, runId, at))) return 'alreadySent';
  let messageId: string | undefined;
  try {
    messageId = await sendRawMail({ ...epdMail(epd, recipient.email, pdf), stream: 'bulk' });
  } catch (error) {
    // Only a refusal SES answered, or SES unreachable, proves the mail did not go out; a lost
    // answer (a reset or a timeout after the request left) may hide a delivered mail, so the claim
    // stays `sending`: the run reports it as unconfirmed instead of mailing the bill twice.
    if (!surelyNotSent(error)) {
      logger.warn('ЕПД mail unconfirmed: no answer from SES', { error: (error as Error).name });
      return { failed: 'retry' };
    }
    await releaseMail(recipient.account, period, runId);
    const permanent = PERMANENT_SES_ERRORS.has((error as Error).name);
    logger.warn('ЕПД mail refused', { error: (error as Error).name, permanent });
    return { failed: permanent ? 'permanent' : 'retry' };
  }
  await confirmMail(recipient.account, period, messageId ?? 'unknown', now().toISOString());
  counters.pdfBytes += pdf.byteLength;
  return 'sent';
}

/**
 * Renders and mails the bills of one batch's subscribers. Failures of single accounts do not stop
 * the others; when any failure may pass (SES throttling, a DynamoDB hiccup, a renderer crash) the
 * batch throws after recording its counters, so the queue redelivers it and the markers let only
 * the unfinished accounts through.
 */
export async function issueBatch(message: Extract<EpdMessage, { type: 'batch' }>): Promise<IssueCounters> {
  const { period, runId } = message;
  const counters: IssueCounters = { ...ZERO_ISSUE_COUNTERS, batchesDone: 1, accounts: message.accounts.length };
  const recipients = await recipientsAmong(message.accounts);
  counters.notSubscribed = message.accounts.length - recipients.length;
  const markers = await markersOf(
    recipients.map((r) => r.account),
    period,
  );
  const attention: string[] = [];
  let retry = 0;
  const todo = recipients.filter((r) => {
    const marker = markers.get(r.account);
    if (marker === 'sent') counters.alreadySent++;
    if (marker === 'sending') {
      counters.unconfirmed++;
      attention.push(r.account);
    }
    return marker === undefined;
  });
  await forEachConcurrently(todo, ACCOUNT_CONCURRENCY, async (recipient) => {
    let outcome: Outcome;
    try {
      outcome = await issueOne(recipient, period, runId, counters);
    } catch (error) {
      logger.error('ЕПД could not be issued', { error: error as Error });
      outcome = { failed: 'retry' };
    }
    if (typeof outcome === 'string') {
      counters[outcome]++;
      return;
    }
    counters.failed++;
    attention.push(recipient.account);
    if (outcome.failed === 'retry') retry++;
  });
  await addToIssueRun(period, runId, counters, attention);
  // A batch that will be retried is not done, though its counters are in: no completion yet.
  if (retry === 0) await completeRunIfDone(keys.epdRun(period, runId), OPS_METRIC.epdRunCompleted);
  if (retry > 0) throw new Error(`${retry} bills of the batch failed and will be retried`);
  return counters;
}
