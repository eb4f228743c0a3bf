import { RemovalPolicy } from 'aws-cdk-lib';
import { type Attribute, AttributeType, BillingMode, ProjectionType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { TableAccess } from '#shared/functions';
import type { KeyAttribute, TableDefinition } from '#shared/tables';

// The same action sets as Table.grantReadData / grantReadWriteData (no streams are enabled, so the
// stream actions are left out). TransactWriteItems is authorised per item by these actions.
const READ_ACTIONS = [
  'dynamodb:BatchGetItem',
  'dynamodb:GetItem',
  'dynamodb:Query',
  'dynamodb:Scan',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DescribeTable',
];
const WRITE_ACTIONS = ['dynamodb:BatchWriteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'];

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
  grantAccess(grantee: IGrantable, access: TableAccess): Grant | undefined {
    if (access === 'none') return undefined;
    return Grant.addToPrincipal({
      grantee,
      actions: access === 'read' ? READ_ACTIONS : [...READ_ACTIONS, ...WRITE_ACTIONS],
      resourceArns: [
        this.tableArn,
        ...this.definition.globalSecondaryIndexes.map((index) => `${this.tableArn}/index/${index.indexName}`),
      ],
    });
  }
}
