import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CfnElement, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SITE_NONCURRENT_VERSION_DAYS } from '#infra/constructs/site';
import { CLOUDFRONT_5XX_RATE_THRESHOLD } from '#infra/edgeStack';
import { PROJECT_ROOT } from '#infra/paths';
import { createPortalApp, EDGE_REGION } from '#infra/portalApp';
import type { PortalStack } from '#infra/stack';
import { FUNCTION_GROUP_NAMES } from '#shared/functions';
import { QUEUE_NAMES, QUEUES } from '#shared/queues';
import { scheduleDefinitions } from '#shared/schedules';

type Json = Record<string, any>;

const cdkContext: Json = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')).context;
const outdirs: string[] = [];
const PROD = { stage: 'prod', account: '123456789012', region: 'eu-central-1', alarmEmail: 'ops@example.ru' };

function synth(context: Json): ReturnType<typeof createPortalApp> {
  const outdir = mkdtempSync(join(tmpdir(), 'rac-stages-'));
  outdirs.push(outdir);
  return createPortalApp({ outdir, context: { ...cdkContext, ...context } });
}

let prod: ReturnType<typeof createPortalApp>;
let template: Template;
let edgeAlarms: Template;

beforeAll(() => {
  prod = synth(PROD);
  // cdk-nag runs as a validation plugin: an unacknowledged finding throws here.
  prod.app.synth();
  template = Template.fromStack(prod.stack);
  edgeAlarms = Template.fromStack(prod.edgeAlarms);
});

afterAll(() => {
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});

const logicalId = (stack: Stack, construct: IConstruct) =>
  stack.getLogicalId(construct.node.defaultChild as CfnElement);
const aliasRef = (stack: PortalStack, group: (typeof FUNCTION_GROUP_NAMES)[number]) => ({
  Ref: logicalId(stack, stack.functions[group].live),
});

describe('stages', () => {
  it('prod refuses to synthesize without an explicit account and region', () => {
    expect(() => synth({ stage: 'prod', alarmEmail: 'ops@example.ru', region: 'eu-central-1' })).toThrow(/account/);
    expect(() => synth({ stage: 'prod', alarmEmail: 'ops@example.ru', account: '123456789012' })).toThrow(/region/);
  });

  it('prod refuses to synthesize without alarmEmail, and an unknown stage is refused', () => {
    expect(() => synth({ ...PROD, alarmEmail: '' })).toThrow(/alarmEmail/);
    expect(() => synth({ stage: 'staging' })).toThrow(/Unknown stage/);
  });

  it('names the stacks after the stage and pins prod to its account and region', () => {
    expect(prod.stack.stackName).toBe('RacPortal-prod');
    expect(prod.edge.stackName).toBe('RacPortalEdge-prod');
    expect(prod.edgeAlarms.stackName).toBe('RacPortalEdgeAlarms-prod');
    expect([prod.stack.account, prod.stack.region]).toEqual([PROD.account, PROD.region]);
    expect([prod.edge.account, prod.edge.region]).toEqual([PROD.account, EDGE_REGION]);
    expect([prod.edgeAlarms.account, prod.edgeAlarms.region]).toEqual([PROD.account, EDGE_REGION]);
  });

  it('protects every prod stack from termination, and no dev stack (construction only)', () => {
    for (const stack of [prod.stack, prod.edge, prod.edgeAlarms]) expect(stack.terminationProtection).toBe(true);
    // Without synthesizing: the dev stacks' templates are the stack test's.
    const dev = synth({ region: 'eu-central-1' });
    expect(dev.stack.stackName).toBe('RacPortal-dev');
    for (const stack of [dev.stack, dev.edge, dev.edgeAlarms]) expect(stack.terminationProtection).toBe(false);
    expect(dev.stage.deploymentConfig.deploymentConfigName).toBe('CodeDeployDefault.LambdaAllAtOnce');
  });
});

describe('function aliases and gradual deployment', () => {
  it('gives every function group a `live` alias on its current version', () => {
    for (const group of FUNCTION_GROUP_NAMES) {
      const fn = prod.stack.functions[group];
      const alias = template.toJSON().Resources[logicalId(prod.stack, fn.live)];
      expect(alias?.Type, group).toBe('AWS::Lambda::Alias');
      expect(alias.Properties.Name).toBe('live');
      expect(alias.Properties.FunctionName).toEqual({ Ref: logicalId(prod.stack, fn) });
      expect(template.toJSON().Resources[alias.Properties.FunctionVersion['Fn::GetAtt'][0]].Type).toBe(
        'AWS::Lambda::Version',
      );
    }
  });

  it('deploys every alias by CodeDeploy, 10% canary for five minutes in prod, rolled back on its alarms', () => {
    const groups = template.findResources('AWS::CodeDeploy::DeploymentGroup');
    expect(Object.keys(groups)).toHaveLength(FUNCTION_GROUP_NAMES.length);
    const resources = template.toJSON().Resources;
    for (const group of FUNCTION_GROUP_NAMES) {
      const fn = prod.stack.functions[group];
      const deployment = fn.deploymentGroup;
      expect(deployment, group).toBeDefined();
      const props = resources[logicalId(prod.stack, deployment as IConstruct)].Properties;
      expect(props.DeploymentConfigName).toBe('CodeDeployDefault.LambdaCanary10Percent5Minutes');
      expect(props.AutoRollbackConfiguration).toEqual({
        Enabled: true,
        Events: expect.arrayContaining(['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_ALARM']),
      });
      expect(props.AlarmConfiguration.Enabled).toBe(true);
      const alarmIds = props.AlarmConfiguration.Alarms.map((a: Json) => a.Name.Ref).sort();
      const pascal = group.charAt(0).toUpperCase() + group.slice(1);
      const expected = Object.entries(resources)
        .filter(
          ([id, r]: [string, any]) =>
            r.Type === 'AWS::CloudWatch::Alarm' &&
            (id.startsWith(`${pascal}ErrorsAlarm`) || id.startsWith(`${pascal}UnhandledErrorsAlarm`)),
        )
        .map(([id]) => id)
        .sort();
      expect(expected, group).toHaveLength(2);
      expect(alarmIds, group).toEqual(expected);
      // CodeDeploy moves the alias: CloudFormation hands alias updates to it.
      const alias = resources[logicalId(prod.stack, fn.live)];
      expect(alias.UpdatePolicy.CodeDeployLambdaAliasUpdate.DeploymentGroupName).toEqual({
        Ref: logicalId(prod.stack, deployment as IConstruct),
      });
    }
  });

  it('points every API integration at an alias, never at $LATEST', () => {
    const integrations = Object.values(template.findResources('AWS::ApiGatewayV2::Integration'));
    expect(integrations.length).toBeGreaterThan(0);
    const aliases = new Set(FUNCTION_GROUP_NAMES.map((g) => aliasRef(prod.stack, g).Ref));
    for (const integration of integrations) {
      expect(aliases.has(integration.Properties.IntegrationUri.Ref)).toBe(true);
    }
    // API Gateway may invoke the alias (the permission names the alias, not the function).
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Principal: 'apigateway.amazonaws.com',
      FunctionName: aliasRef(prod.stack, 'system'),
    });
  });

  it('has every schedule invoke the alias, with the failure destination on the alias', () => {
    const schedules = Object.values(template.findResources('AWS::Scheduler::Schedule'));
    const jobs = scheduleDefinitions({ windowOpenDay: 25, windowCloseDay: 1 });
    expect(schedules).toHaveLength(jobs.length);
    for (const job of jobs) {
      const schedule = schedules.find((s) => JSON.parse(s.Properties.Target.Input).job === job.job);
      expect(schedule?.Properties.Target.Arn, job.job).toEqual(aliasRef(prod.stack, job.group));
    }
    const configs = Object.values(template.findResources('AWS::Lambda::EventInvokeConfig'));
    for (const group of new Set(jobs.map((j) => j.group))) {
      const fn = prod.stack.functions[group];
      const config = configs.find((c) => c.Properties.FunctionName.Ref === logicalId(prod.stack, fn));
      expect(config?.Properties.DestinationConfig.OnFailure.Destination, group).toBeDefined();
      // The qualifier is the alias's, cut from its ARN (Fn::Select over Ref alias), never $LATEST.
      expect(JSON.stringify(config?.Properties.Qualifier), group).toContain(logicalId(prod.stack, fn.live));
    }
    expect(template.findResources('AWS::Lambda::EventInvokeConfig', { Properties: { Qualifier: '$LATEST' } })).toEqual(
      {},
    );
  });

  it('delivers every queue to its consumer’s alias', () => {
    const mappings = Object.values(template.findResources('AWS::Lambda::EventSourceMapping'));
    expect(mappings).toHaveLength(QUEUE_NAMES.length);
    for (const name of QUEUE_NAMES) {
      const queue = prod.stack.queues[name].queue;
      const mapping = mappings.find(
        (m) => m.Properties.EventSourceArn['Fn::GetAtt'][0] === logicalId(prod.stack, queue),
      );
      expect(mapping, name).toBeDefined();
      expect(JSON.stringify(mapping?.Properties.FunctionName), name).toContain(
        aliasRef(prod.stack, QUEUES[name].consumer).Ref,
      );
    }
  });
});

describe('site bucket', () => {
  it('keeps versions, and expires replaced ones after 90 days', () => {
    const site = prod.stack.site;
    const buckets = template.findResources('AWS::S3::Bucket', {
      Properties: { VersioningConfiguration: { Status: 'Enabled' } },
    });
    expect(Object.keys(buckets)).toHaveLength(1);
    const [bucket] = Object.values(buckets);
    expect(bucket?.Properties.LifecycleConfiguration.Rules).toContainEqual(
      expect.objectContaining({ NoncurrentVersionExpiration: { NoncurrentDays: SITE_NONCURRENT_VERSION_DAYS } }),
    );
    // It is the bucket CloudFront serves.
    const distribution = template.toJSON().Resources[logicalId(prod.stack, site.distribution)];
    const [id] = Object.keys(buckets);
    expect(JSON.stringify(distribution.Properties.DistributionConfig.Origins)).toContain(id);
  });
});

describe('CloudFront 5xx alarm', () => {
  it('lives in us-east-1, on the portal’s distribution, with its own topic mailed to alarmEmail', () => {
    expect(prod.edgeAlarms.region).toBe('us-east-1');
    edgeAlarms.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/CloudFront',
      MetricName: '5xxErrorRate',
      Threshold: CLOUDFRONT_5XX_RATE_THRESHOLD,
      Dimensions: Match.arrayWith([{ Name: 'Region', Value: 'Global' }]),
      AlarmActions: [{ Ref: Match.stringLikeRegexp('AlarmTopic') }],
    });
    edgeAlarms.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: PROD.alarmEmail });
    edgeAlarms.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    // The distribution's id comes from the portal stack (a weak cross-region reference), not a guess.
    const [alarm] = Object.values(edgeAlarms.findResources('AWS::CloudWatch::Alarm'));
    const dimension = alarm?.Properties.Dimensions.find((d: Json) => d.Name === 'DistributionId');
    expect(dimension.Value).toEqual({
      'Fn::GetStackOutput': expect.objectContaining({ StackName: 'RacPortal-prod', Region: PROD.region }),
    });
    // And the portal stack has no CloudFront alarm: in its region it would never see a datapoint.
    template.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { Namespace: 'AWS/CloudFront' }, 0);
  });
});
