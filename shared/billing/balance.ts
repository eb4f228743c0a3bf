import type { LedgerAmount } from '#shared/billing/ledger';
import { sumLedger } from '#shared/billing/ledger';
import { queryAll } from '#shared/clients/dynamo';
import { keys } from '#shared/keys';

export { type Balance, type LedgerAmount, sumLedger } from '#shared/billing/ledger';

/**
 * The balance of an account: the sum of the lines of its ledger entries (shared/billing/ledger.ts),
 * per service and in total. Derived on every read, never stored, so it cannot drift from the
 * entries. One query of the account's own partition, projecting the lines only.
 */
export async function balanceOf(account: string) {
  const items = await queryAll<{ lines?: LedgerAmount[] }>({
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': keys.account(account).pk, ':prefix': keys.ledgerPrefix },
    ProjectionExpression: '#lines',
    ExpressionAttributeNames: { '#lines': 'lines' },
  });
  const lines = items.flatMap((item) =>
    (item.lines ?? []).map((line) => ({ service: String(line.service), amount: Number(line.amount) })),
  );
  return sumLedger(lines);
}
