import { groupEntry } from '#shared/http/entry';
import { sendVerificationWarnings, sendWindowReminders } from '#shared/readings/notices';

/** Scheduled mail about readings (shared/schedules.ts): window reminders, verification warnings. */
export const handler = groupEntry({
  jobs: {
    'readings.remind': () => sendWindowReminders(),
    'readings.verificationWarnings': () => sendVerificationWarnings(),
  },
});
