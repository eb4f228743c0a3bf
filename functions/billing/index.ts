import { checkBillingRunCompleted, handleBillingMessage, startBillingRun } from '#shared/billing/run';
import { groupEntry } from '#shared/http/entry';

/**
 * The billing run: the monthly schedule starts it (the coordinator), and the billing queue's
 * messages (a shard to plan, a batch of accounts to bill) each arrive as one invocation.
 */
export const handler = groupEntry({
  jobs: {
    'billing.run': () => startBillingRun({ source: 'schedule', job: 'billing.run' }),
    'billing.check': () => checkBillingRunCompleted(),
  },
  queue: handleBillingMessage,
});
