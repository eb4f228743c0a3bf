import { RemovalPolicy } from 'aws-cdk-lib';
import {
  type Attribute,
  AttributeType,
  BillingMode,
  type ITable,
  ProjectionType,
  Table,
} from 'aws-cdk-lib/aws-dynamodb';
import { Grant, type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { TableAccess } from '#shared/functions';
import type { KeyAttribute, TableDefinition } from '#shared/tables';

// The action sets of Table.grantReadData / grantReadWriteData without Scan (no code scans: every
// access is a key, shared/keys.ts) and without the stream actions (no streams are enabled).
// TransactWriteItems is authorised per item by these actions.
export const READ_ACTIONS = [
  'dynamodb:BatchGetItem',
  'dynamodb:GetItem',
  'dynamodb:Query',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DescribeTable',
];
export const WRITE_ACTIONS = [
  'dynamodb:BatchWriteItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
];

function attribute(key: KeyAttribute): Attribute {
  return { name: key.name, type: key.type === 'S' ? AttributeType.STRING : AttributeType.NUMBER };
}

/**
 * The main table as the functions, the alarms and the backup plan see it: either created by the
 * stack (PortalTable) or an existing one bound by name (importPortalTable, after a restore).
 */
export interface PortalTableRef extends ITable {
  readonly definition: TableDefinition;
  /** Grants exactly `access`, on the table and on each of its named indexes. */
  grantAccess(grantee: IGrantable, access: TableAccess, writesKeyPrefixes?: readonly string[]): void;
}

/**
 * A DynamoDB table deployed from its definition in shared/tables.ts, the same object the local
 * runtime creates in DynamoDB Local. It holds residents' personal data and the money ledger:
 * on-demand, point-in-time recovery, deletion protection, and retained when the stack goes.
 */
export class PortalTable extends Table implements PortalTableRef {
  readonly definition: TableDefinition;

  constructor(scope: Construct, definition: TableDefinition) {
    super(scope, definition.id, {
      partitionKey: attribute(definition.partitionKey),
      ...(definition.sortKey && { sortKey: attribute(definition.sortKey) }),
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      ...(definition.timeToLiveAttribute && { timeToLiveAttribute: definition.timeToLiveAttribute }),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.definition = definition;
    for (const index of definition.globalSecondaryIndexes) {
      this.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: attribute(index.partitionKey),
        ...(index.sortKey && { sortKey: attribute(index.sortKey) }),
        // Every gsi1 query but one returns whole items (shared/tables.ts GSI1): see docs/deploying.md.
        projectionType: ProjectionType.ALL,
      });
    }
  }

  grantAccess(grantee: IGrantable, access: TableAccess, writesKeyPrefixes?: readonly string[]): void {
    grantTableAccess(this, this.definition, grantee, access, writesKeyPrefixes);
  }
}

/**
 * An existing table bound by name instead of created: a table restored from AWS Backup or from
 * point-in-time recovery gets a new name, and `-c tableName=<restored>` points every function, its
 * grants, the alarms and the backup plan at it (docs/runbooks/restore.md). The restored table must
 * have the definition's keys and indexes, which a restore of this stack's table has.
 */
export function importPortalTable(scope: Construct, definition: TableDefinition, tableName: string): PortalTableRef {
  const table = Table.fromTableAttributes(scope, definition.id, {
    tableName,
    globalIndexes: definition.globalSecondaryIndexes.map((index) => index.indexName),
  });
  return Object.assign(table, {
    definition,
    grantAccess(grantee: IGrantable, access: TableAccess, writesKeyPrefixes?: readonly string[]) {
      grantTableAccess(table, definition, grantee, access, writesKeyPrefixes);
    },
  });
}

/**
 * Grants exactly `access`, on the table and on each of its named indexes. The indexes are listed
 * by name rather than `index/*` (what Table.grant* emits), so no wildcard reaches the policy.
 */
function grantTableAccess(
  table: ITable,
  definition: TableDefinition,
  grantee: IGrantable,
  access: TableAccess,
  writesKeyPrefixes?: readonly string[],
): void {
  if (access === 'none') return;
  const indexes = definition.globalSecondaryIndexes.map((index) => `${table.tableArn}/index/${index.indexName}`);
  Grant.addToPrincipal({ grantee, actions: READ_ACTIONS, resourceArns: [table.tableArn, ...indexes] });
  if (access === 'read') return;
  // Writes go to the table only (an index is never written directly). Where the group's key
  // prefixes are known, `dynamodb:LeadingKeys` holds every written item's partition key to them:
  // a bug or an injection in that group cannot touch another capability's items.
  grantee.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({
      actions: WRITE_ACTIONS,
      resources: [table.tableArn],
      ...(writesKeyPrefixes?.length
        ? {
            conditions: {
              'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': writesKeyPrefixes.map((p) => `${p}*`) },
            },
          }
        : {}),
    }),
  );
}
