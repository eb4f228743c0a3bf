import { groupEntry } from '#shared/http/entry';
import { handleReadingMailMessage, startWindowReminders } from '#shared/readings/reminders';
import { sendVerificationWarnings } from '#shared/readings/verificationWarnings';

/**
 * Scheduled mail about readings (shared/schedules.ts): the window reminder (the job queues one
 * message per subscription shard; each arrives here as its own invocation) and verification warnings.
 */
export const handler = groupEntry({
  jobs: {
    'readings.remind': () => startWindowReminders(),
    'readings.verificationWarnings': () => sendVerificationWarnings(),
  },
  queue: handleReadingMailMessage,
});
