import { groupEntry } from '#shared/http/entry';
import { handleReadingMailMessage, sendVerificationWarnings, startWindowReminders } from '#shared/readings/notices';

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
