import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { LedgerAmount } from '#shared/billing/ledger';
import { sumLedger } from '#shared/billing/ledger';
import { db, tableName } from '#shared/clients/dynamo';
import { keys } from '#shared/keys';

export { type Balance, type LedgerAmount, sumLedger } from '#shared/billing/ledger';

/**
 * The balance of an account: the sum of the lines of its ledger entries (shared/billing/ledger.ts),
 * per service and in total. Derived on every read, never stored, so it cannot drift from the
 * entries. One query of the account's own partition, projecting the lines only.
 */
export async function balanceOf(account: string) {
  const lines: LedgerAmount[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db().send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.account(account).pk, ':prefix': keys.ledgerPrefix },
        ProjectionExpression: '#lines',
        ExpressionAttributeNames: { '#lines': 'lines' },
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) {
      for (const line of (item.lines ?? []) as LedgerAmount[]) {
        lines.push({ service: String(line.service), amount: Number(line.amount) });
      }
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return sumLedger(lines);
}
