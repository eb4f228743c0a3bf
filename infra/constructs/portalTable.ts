import { RemovalPolicy } from 'aws-cdk-lib';
import { type Attribute, AttributeType, BillingMode, ProjectionType, Table } from 'aws-cdk-lib/aws-dynamodb';
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
 * A DynamoDB table deployed from its definition in shared/tables.ts, the same object the local
 * runtime creates in DynamoDB Local. It holds residents' personal data and the money ledger:
 * on-demand, point-in-time recovery, deletion protection, and retained when the stack goes.
 */
export class PortalTable extends Table {
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
        projectionType: ProjectionType.ALL,
      });
    }
  }

  /**
   * Grants exactly `access`, on the table and on each of its named indexes. The indexes are listed
   * by name rather than `index/*` (what Table.grant* emits), so no wildcard reaches the policy.
   */
  grantAccess(grantee: IGrantable, access: TableAccess, writesKeyPrefixes?: readonly string[]): void {
    if (access === 'none') return;
    const indexes = this.definition.globalSecondaryIndexes.map((index) => `${this.tableArn}/index/${index.indexName}`);
    Grant.addToPrincipal({ grantee, actions: READ_ACTIONS, resourceArns: [this.tableArn, ...indexes] });
    if (access === 'read') return;
    // Writes go to the table only (an index is never written directly). Where the group's key
    // prefixes are known, `dynamodb:LeadingKeys` holds every written item's partition key to them:
    // a bug or an injection in that group cannot touch another capability's items.
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: WRITE_ACTIONS,
        resources: [this.tableArn],
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
}
