import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { cabinetsOf } from '#shared/accounts/store';
import { addRunCounters, batchGetAll, db, tableName } from '#shared/clients/dynamo';
import { keys } from '#shared/keys';

/**
 * The issuance's reads and writes: who wants the bill by mail, the per-account mail markers and
 * the run record. Every access is by key.
 *
 * A marker (`keys.epdMail`) is put with `attribute_not_exists` before the mail is sent, so of any
 * number of runs, retries and workers exactly one may send a given account's bill for a period:
 * - SES refused or failed the send (an error came back): the marker is deleted, a later run sends;
 * - the mail went out: the marker is set to `sent` with SES's message id;
 * - the process died between the claim and the confirmation (a timeout, a crash): the marker stays
 *   `sending` and no run sends that bill again, because nobody can know whether SES took it. The
 *   run counts it (`unconfirmed`) and names the account for the operator; the resident still has
 *   the bill in the portal. A lost mail can be looked into; a duplicate bill cannot be unsent.
 */

export interface Recipient {
  account: string;
  email: string;
}

export type MarkerStatus = 'sending' | 'sent';

/** The accounts whose resident asked for the bill by mail (the profile's `billByEmail`), with the address. */
export async function recipientsAmong(accounts: readonly string[]): Promise<Recipient[]> {
  const cabinets = await cabinetsOf(accounts);
  return [...cabinets.values()]
    .filter((c) => c.billByEmail === true && typeof c.email === 'string' && c.email !== '')
    .map((c) => ({ account: String(c.account), email: String(c.email) }));
}

/** The markers of these accounts for the period: account → status. */
export async function markersOf(accounts: readonly string[], period: string): Promise<Map<string, MarkerStatus>> {
  const items = await batchGetAll(
    accounts.map((a) => keys.epdMail(a, period)),
    { expression: '#account, #status', names: { '#account': 'account', '#status': 'status' } },
  );
  return new Map(items.map((i) => [String(i.account), i.status as MarkerStatus]));
}

/** Claims the account's bill of the period for this run; false when a marker is there already. */
export async function claimMail(account: string, period: string, runId: string, at: string): Promise<boolean> {
  try {
    await db().send(
      new PutCommand({
        TableName: tableName(),
        Item: {
          ...keys.epdMail(account, period),
          entity: 'epdMail',
          account,
          period,
          status: 'sending' satisfies MarkerStatus,
          runId,
          claimedAt: at,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/** SES refused the mail: the claim goes, so a later run may send it. Only this run's claim. */
export async function releaseMail(account: string, period: string, runId: string): Promise<void> {
  await db().send(
    new DeleteCommand({
      TableName: tableName(),
      Key: keys.epdMail(account, period),
      ConditionExpression: '#status = :sending AND runId = :run',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':sending': 'sending', ':run': runId },
    }),
  );
}

export async function confirmMail(account: string, period: string, messageId: string, at: string): Promise<void> {
  await db().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: keys.epdMail(account, period),
      UpdateExpression: 'SET #status = :sent, sentAt = :at, messageId = :id',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':sent': 'sent', ':at': at, ':id': messageId },
    }),
  );
}

/** What an issuance run did, summed over its batches. */
export interface IssueCounters {
  shardsDone: number;
  batchesPlanned: number;
  batchesDone: number;
  accounts: number;
  /** Residents without the subscription (or without a cabinet): nothing to do. */
  notSubscribed: number;
  /** Subscribed, but the period has no charges for the account (yet). */
  noBill: number;
  sent: number;
  alreadySent: number;
  /** Claimed by an earlier attempt that never confirmed: not sent again (see above). */
  unconfirmed: number;
  failed: number;
  /** Bytes of PDF mailed, for the operator's sense of volume. */
  pdfBytes: number;
}

export const ZERO_ISSUE_COUNTERS: IssueCounters = {
  shardsDone: 0,
  batchesPlanned: 0,
  batchesDone: 0,
  accounts: 0,
  notSubscribed: 0,
  noBill: 0,
  sent: 0,
  alreadySent: 0,
  unconfirmed: 0,
  failed: 0,
  pdfBytes: 0,
};

export interface IssueRun extends IssueCounters {
  period: string;
  runId: string;
  shards: number;
  startedAt: string;
  source: string;
  /** Accounts whose bill needs the operator (unconfirmed or failed sends); at most 100. */
  attentionAccounts?: string[];
}

export async function createIssueRun(run: Omit<IssueRun, keyof IssueCounters>): Promise<void> {
  await db().send(
    new PutCommand({
      TableName: tableName(),
      Item: { ...keys.epdRun(run.period, run.runId), entity: 'epdRun', ...run, ...ZERO_ISSUE_COUNTERS },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
}

/** Adds a batch's counters to its run: one atomic ADD per batch. */
export function addToIssueRun(
  period: string,
  runId: string,
  counters: Partial<IssueCounters>,
  attention: readonly string[] = [],
): Promise<void> {
  return addRunCounters(keys.epdRun(period, runId), counters, { attribute: 'attentionAccounts', values: attention });
}

export async function getIssueRun(period: string, runId: string): Promise<IssueRun | undefined> {
  const out = await db().send(
    new GetCommand({ TableName: tableName(), Key: keys.epdRun(period, runId), ConsistentRead: true }),
  );
  return out.Item as IssueRun | undefined;
}
