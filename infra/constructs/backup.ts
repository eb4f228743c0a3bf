import { Duration, RemovalPolicy, TimeZone, Validations } from 'aws-cdk-lib';
import {
  BackupPlan,
  BackupPlanRule,
  BackupResource,
  BackupVault,
  BackupVaultEvents,
  type LockConfiguration,
} from 'aws-cdk-lib/aws-backup';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Schedule } from 'aws-cdk-lib/aws-events';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

/** `governance`: removable by an administrator; `compliance`: nobody, once the grace days have passed. */
export type BackupLockMode = 'governance' | 'compliance';

/**
 * The retention of the table's copies. Ledger entries, payments and the ЕПД issued are accounting
 * records, kept at least five years (402-ФЗ «О бухгалтерском учёте», ст. 29): one copy a month for
 * five years and a day; daily copies for the month a mistake takes to be noticed.
 */
export const BACKUP_RETENTION = {
  dailyDays: 35,
  monthlyDays: 5 * 366,
  /** The vault refuses a copy kept shorter or longer than this (vault lock). */
  lockMinDays: 35,
  lockMaxDays: 6 * 366,
  /** Compliance mode only: days in which the lock can still be removed, then it is immutable. */
  complianceGraceDays: 3,
} as const;

export interface PortalBackupProps {
  table: ITable;
  lockMode: BackupLockMode;
  /** Failed backup, copy and restore jobs are published here (the alarm topic). */
  alarmTopic?: ITopic;
}

/**
 * AWS Backup of the main table: a vault encrypted with our own key and locked, daily and monthly
 * rules (Moscow time, after the nightly jobs), and a selection naming the table by ARN so that a
 * table bound by `-c tableName=` after a restore is backed up too. PITR (35 days) stays on the table.
 */
export class PortalBackup extends Construct {
  readonly vault: BackupVault;
  readonly plan: BackupPlan;
  readonly key: Key;

  constructor(scope: Construct, id: string, props: PortalBackupProps) {
    super(scope, id);
    this.key = new Key(this, 'VaultKey', {
      description: 'Encrypts the resident portal backup vault',
      enableKeyRotation: true,
      // The key outlives the stack: without it no recovery point in the vault can be restored.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const lock: LockConfiguration = {
      minRetention: Duration.days(BACKUP_RETENTION.lockMinDays),
      maxRetention: Duration.days(BACKUP_RETENTION.lockMaxDays),
      // With changeableFor the lock is in compliance mode: after these days nobody (root and AWS
      // included) can remove it or shorten a recovery point's retention; without it, governance
      // mode, which an administrator with backup:DeleteBackupVaultLockConfiguration can lift.
      ...(props.lockMode === 'compliance'
        ? { changeableFor: Duration.days(BACKUP_RETENTION.complianceGraceDays) }
        : {}),
    };
    this.vault = new BackupVault(this, 'Vault', {
      encryptionKey: this.key,
      lockConfiguration: lock,
      // A locked vault with recovery points cannot be deleted anyway; the stack must not try.
      removalPolicy: RemovalPolicy.RETAIN,
      ...(props.alarmTopic
        ? {
            notificationTopic: props.alarmTopic,
            notificationEvents: [
              BackupVaultEvents.BACKUP_JOB_FAILED,
              BackupVaultEvents.COPY_JOB_FAILED,
              BackupVaultEvents.RESTORE_JOB_COMPLETED,
            ],
          }
        : {}),
    });

    this.plan = new BackupPlan(this, 'Plan', { backupVault: this.vault });
    // 03:00 Moscow: after the nightly jobs, before the morning's traffic.
    this.plan.addRule(
      new BackupPlanRule({
        ruleName: 'Daily',
        scheduleExpression: Schedule.cron({ minute: '0', hour: '3' }),
        scheduleExpressionTimezone: TimeZone.EUROPE_MOSCOW,
        deleteAfter: Duration.days(BACKUP_RETENTION.dailyDays),
      }),
    );
    // The 2nd, 04:00 Moscow: after the month's billing run (due by the 1st 06:00), so the monthly
    // copy holds the month's charges.
    this.plan.addRule(
      new BackupPlanRule({
        ruleName: 'Monthly',
        scheduleExpression: Schedule.cron({ minute: '0', hour: '4', day: '2' }),
        scheduleExpressionTimezone: TimeZone.EUROPE_MOSCOW,
        deleteAfter: Duration.days(BACKUP_RETENTION.monthlyDays),
      }),
    );
    const selection = this.plan.addSelection('Table', {
      resources: [BackupResource.fromArn(props.table.tableArn)],
    });
    Validations.of(selection).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]',
      reason:
        'The role AWS Backup assumes to copy the table: AWS maintains this service policy as the DynamoDB ' +
        'backup actions change (advanced backup included); it acts only on the resources this selection names.',
    });
  }
}
