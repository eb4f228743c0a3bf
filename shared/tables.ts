/**
 * The DynamoDB tables, described once: the CDK stack deploys these definitions and the local
 * runtime creates them in DynamoDB Local from the very same objects.
 */
export interface KeyAttribute {
  name: string;
  type: 'S' | 'N';
}

export interface IndexDefinition {
  indexName: string;
  partitionKey: KeyAttribute;
  sortKey?: KeyAttribute;
}

export interface TableDefinition {
  /** Logical id, used for the CDK construct and in function grants. */
  id: string;
  /** Physical name in the local runtime; in AWS CloudFormation names the table. */
  localName: string;
  partitionKey: KeyAttribute;
  sortKey?: KeyAttribute;
  globalSecondaryIndexes: IndexDefinition[];
  /** DynamoDB Local never enforces TTL: code filters expired items itself. */
  timeToLiveAttribute?: string;
}

/** The main table's one secondary index: every query by a secondary identity names it. */
export const GSI1 = 'gsi1';

/**
 * One table, single-table design: accounts, meters, tariffs, readings, ledger and sessions are
 * told apart by key prefixes. `gsi1` serves the lists that must not scan the table: accounts by
 * shard, a period's readings, meters by the month their verification ends, open and reviewed
 * payments. Every key and which code reads it: the access-pattern table in shared/keys.ts.
 * It projects all attributes: its queries but `accountsOfShard` read whole items (readings, payments,
 * meters), and changing a projection rebuilds the index in AWS (docs/deploying.md, The gsi1 projection).
 */
export const MAIN_TABLE = {
  id: 'Main',
  localName: 'rac-main',
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  globalSecondaryIndexes: [
    {
      indexName: GSI1,
      partitionKey: { name: 'gsi1pk', type: 'S' },
      sortKey: { name: 'gsi1sk', type: 'S' },
    },
  ],
  timeToLiveAttribute: 'expiresAt',
} as const satisfies TableDefinition;

export const TABLES: readonly TableDefinition[] = [MAIN_TABLE];
