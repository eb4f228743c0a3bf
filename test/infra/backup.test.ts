import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKUP_RETENTION } from '#infra/constructs/backup';
import { PROJECT_ROOT } from '#infra/paths';
import { createPortalApp } from '#infra/portalApp';
import type { PortalStack } from '#infra/stack';
import { ENV } from '#shared/env';
import { FUNCTION_GROUP_NAMES, FUNCTION_GROUPS } from '#shared/functions';
import { GSI1 } from '#shared/tables';

type Json = Record<string, any>;

const cdkContext: Json = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')).context;
const outdirs: string[] = [];
const RESTORED = 'rac-main-restored-2031-05-02';

/** Synthesized with cdk-nag (an unacknowledged finding throws); bundling skipped: only IAM and env matter. */
function synth(context: Json): { stack: PortalStack; template: Template } {
  const outdir = mkdtempSync(join(tmpdir(), 'rac-infra-backup-'));
  outdirs.push(outdir);
  const { app, stack } = createPortalApp({
    outdir,
    context: { ...cdkContext, 'aws:cdk:bundling-stacks': [], ...context },
  });
  app.synth();
  return { stack, template: Template.fromStack(stack) };
}

let created: { stack: PortalStack; template: Template };
let restored: { stack: PortalStack; template: Template };

beforeAll(() => {
  created = synth({});
  restored = synth({ tableName: RESTORED, backupLock: 'compliance' });
});
afterAll(() => {
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});

describe('AWS Backup of the table', () => {
  it('keeps daily copies 35 days and monthly copies five years, in Moscow time, in a locked vault', () => {
    const plan = Object.values(created.template.findResources('AWS::Backup::BackupPlan'));
    expect(plan).toHaveLength(1);
    const rules: Json[] = plan[0]?.Properties.BackupPlan.BackupPlanRule;
    const byName = Object.fromEntries(rules.map((r) => [r.RuleName, r]));
    expect(byName.Daily).toMatchObject({
      ScheduleExpression: 'cron(0 3 * * ? *)',
      ScheduleExpressionTimezone: 'Europe/Moscow',
      Lifecycle: { DeleteAfterDays: BACKUP_RETENTION.dailyDays },
    });
    expect(byName.Monthly).toMatchObject({
      ScheduleExpression: 'cron(0 4 2 * ? *)',
      ScheduleExpressionTimezone: 'Europe/Moscow',
      Lifecycle: { DeleteAfterDays: BACKUP_RETENTION.monthlyDays },
    });
    // 402-ФЗ: five years at least.
    expect(BACKUP_RETENTION.monthlyDays).toBeGreaterThanOrEqual(5 * 365 + 2);
    const vaultId = created.stack.getLogicalId(created.stack.backup.vault.node.defaultChild as CfnElement);
    for (const rule of rules) expect(rule.TargetBackupVault).toEqual({ 'Fn::GetAtt': [vaultId, 'BackupVaultName'] });
  });

  it('locks the vault in governance mode by default, with our rotated KMS key, retained', () => {
    const keyId = created.stack.getLogicalId(created.stack.backup.key.node.defaultChild as CfnElement);
    created.template.hasResource('AWS::Backup::BackupVault', {
      DeletionPolicy: 'Retain',
      Properties: {
        EncryptionKeyArn: { 'Fn::GetAtt': [keyId, 'Arn'] },
        LockConfiguration: {
          MinRetentionDays: BACKUP_RETENTION.lockMinDays,
          MaxRetentionDays: BACKUP_RETENTION.lockMaxDays,
          ChangeableForDays: Match.absent(),
        },
      },
    });
    created.template.hasResource('AWS::KMS::Key', {
      DeletionPolicy: 'Retain',
      Properties: { EnableKeyRotation: true, Description: Match.stringLikeRegexp('backup vault') },
    });
    // Every rule's retention fits the lock, or the vault would refuse the job.
    expect(BACKUP_RETENTION.dailyDays).toBeGreaterThanOrEqual(BACKUP_RETENTION.lockMinDays);
    expect(BACKUP_RETENTION.monthlyDays).toBeLessThanOrEqual(BACKUP_RETENTION.lockMaxDays);
  });

  it('locks in compliance mode, with a grace period, when told', () => {
    restored.template.hasResourceProperties('AWS::Backup::BackupVault', {
      LockConfiguration: { ChangeableForDays: BACKUP_RETENTION.complianceGraceDays },
    });
  });

  it('selects the table by its ARN', () => {
    const tableId = created.stack.getLogicalId(created.stack.table.node.defaultChild as CfnElement);
    created.template.hasResourceProperties('AWS::Backup::BackupSelection', {
      BackupSelection: { Resources: [{ 'Fn::GetAtt': [tableId, 'Arn'] }] },
    });
  });

  it('reports failed backup and copy jobs to the alarm topic', () => {
    created.template.hasResourceProperties('AWS::Backup::BackupVault', {
      Notifications: {
        BackupVaultEvents: Match.arrayWith(['BACKUP_JOB_FAILED', 'COPY_JOB_FAILED']),
        SNSTopicArn: { Ref: Match.stringLikeRegexp('^AlarmTopic') },
      },
    });
  });
});

describe('-c tableName: bound to a restored table', () => {
  it('creates no table', () => {
    restored.template.resourceCountIs('AWS::DynamoDB::Table', 0);
    restored.template.resourceCountIs('AWS::DynamoDB::GlobalTable', 0);
    expect(restored.template.toJSON().Outputs.TableName.Value).toBe(RESTORED);
  });

  it.each(FUNCTION_GROUP_NAMES)('names it in the %s function’s environment and policy', (group) => {
    const fn = restored.stack.functions[group];
    const props =
      restored.template.toJSON().Resources[restored.stack.getLogicalId(fn.node.defaultChild as CfnElement)].Properties;
    expect(props.Environment.Variables[ENV.table]).toBe(RESTORED);
    const roleId = restored.stack.getLogicalId(fn.executionRole.node.defaultChild as CfnElement);
    const policies = Object.values(restored.template.findResources('AWS::IAM::Policy')).filter((p) =>
      p.Properties.Roles.some((r: Json) => r.Ref === roleId),
    );
    const dynamo = policies
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Json[])
      .filter((s) => [s.Action].flat().some((a: string) => a.startsWith('dynamodb:')));
    if (FUNCTION_GROUPS[group].tableAccess === 'none') {
      expect(dynamo).toEqual([]);
      return;
    }
    const resources = JSON.stringify(dynamo.map((s) => s.Resource));
    expect(resources).toContain(`:table/${RESTORED}`);
    expect(resources).toContain(`:table/${RESTORED}/index/${GSI1}`);
    // Nothing else: no trace of a table the stack would create.
    expect(resources).not.toMatch(/Main[0-9A-F]{8}/);
  });

  it('backs up the restored table', () => {
    const selection = Object.values(restored.template.findResources('AWS::Backup::BackupSelection'));
    expect(JSON.stringify(selection[0]?.Properties.BackupSelection.Resources)).toContain(`:table/${RESTORED}`);
  });
});
