import { cabinetsOf } from '#shared/accounts/store';
import { queryAll } from '#shared/clients/dynamo';
import { forEachConcurrently } from '#shared/concurrency';
import { keys } from '#shared/keys';
import { logger } from '#shared/logger';
import { type MailRun, newMailRun, SEND_CONCURRENCY, sendClaimed, updateIf } from '#shared/readings/mailRun';
import { type ExpiringMeter, verificationMail } from '#shared/readings/mails';
import { GSI1 } from '#shared/tables';
import { moscowDate, now, oneMonthLater } from '#shared/time';

/** A meter item as the verification index (keys.meterVerification) returns it. */
interface IndexedMeter extends ExpiringMeter {
  account: string;
  verificationWarnedFor?: string;
}

const claimWarning = (meter: IndexedMeter) =>
  updateIf({
    Key: keys.meter(meter.account, meter.serial),
    UpdateExpression: 'SET verificationWarnedFor = :date',
    // The date must still be the one indexed (a re-import may have moved it).
    ConditionExpression:
      'verifiedUntil = :date AND (attribute_not_exists(verificationWarnedFor) OR verificationWarnedFor <> :date)',
    ExpressionAttributeValues: { ':date': meter.verifiedUntil },
  });

const releaseWarning = (meter: IndexedMeter) =>
  updateIf({
    Key: keys.meter(meter.account, meter.serial),
    UpdateExpression: 'REMOVE verificationWarnedFor',
    ConditionExpression: 'verificationWarnedFor = :date',
    ExpressionAttributeValues: { ':date': meter.verifiedUntil },
  });

/** Meters whose verification ends from `from` to `until` (dates) and not yet warned about for that date. */
async function metersDue(from: string, until: string): Promise<IndexedMeter[]> {
  const months = [...new Set([from.slice(0, 7), until.slice(0, 7)])];
  const due: IndexedMeter[] = [];
  for (const month of months) {
    due.push(
      ...(await queryAll<IndexedMeter>({
        IndexName: GSI1,
        KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk BETWEEN :from AND :to',
        FilterExpression: 'attribute_not_exists(verificationWarnedFor) OR verificationWarnedFor <> verifiedUntil',
        ExpressionAttributeValues: {
          ':pk': keys.verificationsOfMonth(month),
          ':from': from,
          // `#` sorts after the date's last digit: the whole `until` day is included.
          ':to': `${until}#~`,
        },
      })),
    );
  }
  return due;
}

/**
 * The verification warning, daily: every meter whose verification ends between today and a month
 * from today, not yet warned about for that date, gets one mail to its account's resident (one
 * mail per account listing its meters). A day the job missed is caught up the next day. Meters of
 * accounts without a cabinet are marked too: nobody to mail, and the meters page shows the date.
 */
export async function sendVerificationWarnings(): Promise<MailRun> {
  const run = newMailRun();
  const today = moscowDate(now());
  const due = await metersDue(today, oneMonthLater(today));
  const byAccount = Map.groupBy(due, (m) => m.account);
  const cabinets = await cabinetsOf([...byAccount.keys()]);
  await forEachConcurrently([...byAccount], SEND_CONCURRENCY, async ([account, meters]) => {
    const claimed: IndexedMeter[] = [];
    for (const meter of meters) if (await claimWarning(meter)) claimed.push(meter);
    const email = cabinets.get(account)?.email;
    if (claimed.length === 0 || !email) {
      run.skipped += meters.length;
      return;
    }
    await sendClaimed(
      run,
      verificationMail(email, account, claimed),
      async () => {
        for (const meter of claimed) await releaseWarning(meter);
      },
      'Verification warning not sent',
    );
  });
  logger.info('Verification warnings', { meters: due.length, ...run });
  if (run.failed > 0) throw new Error(`Предупреждения о поверке отправлены не всем (ошибок ${run.failed})`);
  return run;
}
