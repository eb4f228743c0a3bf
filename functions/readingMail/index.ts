import { groupEntry } from '#shared/http/entry';
import { handleSesEvent, isSesEventMessage } from '#shared/mail/suppression';
import { handleNewsMessage, isNewsMessage } from '#shared/news/mailing';
import { handleReadingMailMessage, startWindowReminders } from '#shared/readings/reminders';
import { sendVerificationWarnings } from '#shared/readings/verificationWarnings';

/**
 * Scheduled mail about readings (shared/schedules.ts): the window reminder (the job queues one
 * message per subscription shard; each arrives here as its own invocation) and verification warnings.
 * It also consumes the SES events queue (bounces and complaints: shared/mail/suppression.ts), being
 * the group that sends the most mail. News items reach their subscribers through the same queue
 * (shared/news/mailing.ts: one message per subscription shard).
 */
export const handler = groupEntry({
  jobs: {
    'readings.remind': () => startWindowReminders(),
    'readings.verificationWarnings': () => sendVerificationWarnings(),
  },
  queue: async (body) => {
    if (isSesEventMessage(body)) await handleSesEvent(body);
    else if (isNewsMessage(body)) await handleNewsMessage(body);
    else await handleReadingMailMessage(body);
  },
});
