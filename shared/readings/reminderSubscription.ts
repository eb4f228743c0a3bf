import { DeleteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { db, tableName } from '#shared/clients/dynamo';
import { keys } from '#shared/keys';

/**
 * The sparse list of residents who want the window reminder: one small item per opted-in
 * account under one of REMINDER_SHARDS partitions (keys.reminderSubscription). The cabinet
 * item stays the truth (its `remindersOptIn` and `email`): the reminder job reads them back by key
 * and drops a subscription whose cabinet is gone or opted out, so a missed update here can at
 * worst cost one lookup, never a mail the resident did not want.
 */
export function reminderSubscriptionItem(account: string) {
  return { ...keys.reminderSubscription(account), entity: 'reminderSubscription', account };
}

/** For a transaction that creates the cabinet (registration opts in by default). */
export function subscribeOperation(account: string) {
  return { Put: { TableName: tableName(), Item: reminderSubscriptionItem(account) } };
}

/** Opting in again keeps the item's `remindedFor`: no second reminder for the same window. */
export async function setReminderSubscription(account: string, optIn: boolean): Promise<void> {
  await db().send(
    optIn
      ? new UpdateCommand({
          TableName: tableName(),
          Key: keys.reminderSubscription(account),
          UpdateExpression: 'SET entity = :entity, account = :account',
          ExpressionAttributeValues: { ':entity': 'reminderSubscription', ':account': account },
        })
      : new DeleteCommand({ TableName: tableName(), Key: keys.reminderSubscription(account) }),
  );
}
