import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { db, tableName } from '#shared/clients/dynamo';
import { keys } from '#shared/keys';

/** A ledger entry as far as the balance needs it: signed kopecks per service (+ owes, − paid). */
export interface LedgerAmount {
  service: string;
  amount: number;
}

export interface Balance {
  total: number;
  services: Array<{ service: string; balance: number }>;
}

/** The balance is derived, never stored: the sum of the ledger entries, per service and in total. */
export function sumLedger(entries: readonly LedgerAmount[]): Balance {
  const byService = new Map<string, number>();
  for (const e of entries) byService.set(e.service, (byService.get(e.service) ?? 0) + e.amount);
  const services = [...byService]
    .map(([service, balance]) => ({ service, balance }))
    .sort((a, b) => a.service.localeCompare(b.service));
  return { total: services.reduce((sum, s) => sum + s.balance, 0), services };
}

export async function balanceOf(account: string): Promise<Balance> {
  const entries: LedgerAmount[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db().send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.account(account).pk, ':prefix': keys.ledgerPrefix },
        ProjectionExpression: 'service, amount',
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) entries.push({ service: String(item.service), amount: Number(item.amount) });
    start = page.LastEvaluatedKey;
  } while (start);
  return sumLedger(entries);
}
