import { checkEpdIssueCompleted, handleEpdMessage, startEpdIssue } from '#shared/epd/issue';
import { groupEntry } from '#shared/http/entry';

/**
 * Monthly ЕПД issuance: the schedules start it (the coordinator), and the `epd` queue's messages
 * (a shard to plan, a batch of accounts to render and mail) each arrive as one invocation. The
 * second schedule is a catch-up run: markers keep it from mailing anyone twice.
 */
export const handler = groupEntry({
  jobs: {
    'epd.issue': () => startEpdIssue({ source: 'schedule', job: 'epd.issue' }),
    'epd.issueMissed': () => startEpdIssue({ source: 'schedule (catch-up)', job: 'epd.issueMissed' }),
    'epd.check': () => checkEpdIssueCompleted(),
  },
  queue: handleEpdMessage,
});
