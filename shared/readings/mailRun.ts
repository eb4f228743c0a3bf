import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { db, tableName } from '#shared/clients/dynamo';
import { type Mail, sendMail } from '#shared/clients/mail';
import { logger } from '#shared/logger';

/**
 * What the two scheduled readings mails (reminders.ts, verificationWarnings.ts) share. Both are
 * safe to re-run: each recipient is claimed by a conditional write before the mail goes out (the
 * reminder per subscription and window period, the warning per meter and verification date), so
 * a retry or a second run sends nothing twice. A mail that fails to send gives its claim back and
 * fails the run, so the retry (the queue's or the scheduler's) sends it later.
 */

/** Mails in flight at once per invocation: with 8 shards at a time, within SES's raised rate. */
export const SEND_CONCURRENCY = 8;

export interface MailRun {
  sent: number;
  skipped: number;
  failed: number;
  unfinished: boolean;
}

export const newMailRun = (): MailRun => ({ sent: 0, skipped: 0, failed: 0, unfinished: false });

/**
 * An update under a condition; false when the condition failed. A claim is false when an earlier
 * run got there first; a release is false when there is nothing of this run's to give back.
 */
export async function updateIf(input: Omit<UpdateCommandInput, 'TableName'>): Promise<boolean> {
  try {
    await db().send(new UpdateCommand({ TableName: tableName(), ...input }));
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/** Sends a claimed mail; a failure is counted, logged by the error's name only, and un-claims. */
export async function sendClaimed(run: MailRun, mail: Mail, release: () => Promise<unknown>, failure: string) {
  try {
    await sendMail({ ...mail, stream: 'bulk' });
    run.sent++;
  } catch (error) {
    run.failed++;
    // The error's name only: an SES message may quote the address.
    logger.warn(failure, { error: (error as Error).name });
    await release();
  }
}
