import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { CachePolicy, OriginRequestPolicy } from 'aws-cdk-lib/aws-cloudfront';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  COUNTED_COMMON_RULES,
  EDGE_RATE_LIMITS,
  EDGE_RATE_WINDOW_SECONDS,
  MANAGED_RULE_GROUPS,
  MAX_RATE_RULES,
  SIGNED_PATH_PREFIXES,
} from '#infra/constructs/edgeFirewall';
import { PortalFunction } from '#infra/constructs/portalFunction';
import { SEED_HANDLER } from '#infra/constructs/portalSecrets';
import type { EdgeStack } from '#infra/edgeStack';
import { PROJECT_ROOT } from '#infra/paths';
import { createPortalApp } from '#infra/portalApp';
import { type PortalStack, ROUTE_THROTTLES } from '#infra/stack';
import { ENV } from '#shared/env';
import { FUNCTION_GROUP_NAMES, FUNCTION_GROUPS, type FunctionGroup } from '#shared/functions';
import { ORIGIN_HEADER } from '#shared/http/origin';
import { METRICS_NAMESPACE, OPS_METRIC } from '#shared/metrics';
import {
  JOB_FAILURES,
  QUEUE_NAMES,
  QUEUES,
  type QueueDefinition,
  type QueueName,
  visibilityTimeoutSeconds,
} from '#shared/queues';
import { ROUTES, routeKey } from '#shared/routes';
import { eventBridgeCron, SCHEDULE_TIMEZONE, scheduleDefinitions } from '#shared/schedules';
import { SECRET_PURPOSES, SECRETS, type SecretPurpose } from '#shared/secrets';
import { SITE_ASSETS_PREFIX, SITE_CACHE_CONTROL, SITE_CONTENT_SECURITY_POLICY } from '#shared/sitePolicy';
import { MAIN_TABLE } from '#shared/tables';

type Json = Record<string, any>;
interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

// Synthesized once: bundling every function group is the slow part. The context is cdk.json's, so
// the feature flags are those `cdk synth` runs with.
const cdkContext: Json = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')).context;
const outdirs: string[] = [];
let app: App;
let stack: PortalStack;
let edge: EdgeStack;
let template: Template;
let edgeTemplate: Template;

function synthDir(): string {
  const outdir = mkdtempSync(join(tmpdir(), 'rac-infra-'));
  outdirs.push(outdir);
  return outdir;
}

function synth(context: Json = {}): ReturnType<typeof createPortalApp> {
  return createPortalApp({ outdir: synthDir(), context: { ...cdkContext, ...context } });
}

beforeAll(() => {
  ({ app, stack, edge } = synth());
  // With the cdk-nag plugin registered, any unacknowledged finding (warning or error) throws here.
  app.synth();
  template = Template.fromStack(stack);
  edgeTemplate = Template.fromStack(edge);
});

afterAll(() => {
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});

const logicalId = (construct: IConstruct) => stack.getLogicalId(construct.node.defaultChild as CfnElement);
/** Callers invoke the `live` alias (its Ref is its ARN), never $LATEST: test/infra/stages.test.ts. */
const aliasArn = (group: keyof typeof FUNCTION_GROUPS) => ({ Ref: logicalId(stack.functions[group].live) });

function resource(id: string): Json {
  const found = template.toJSON().Resources[id];
  expect(found, `resource ${id}`).toBeDefined();
  return found;
}

/** Every statement that applies to a role: its inline policies and the AWS::IAM::Policy attached. */
function statementsOfRole(roleId: string): Statement[] {
  const statements: Statement[] = [];
  for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
    if (policy.Properties.Roles.some((r: Json) => r.Ref === roleId)) {
      statements.push(...policy.Properties.PolicyDocument.Statement);
    }
  }
  for (const inline of resource(roleId).Properties.Policies ?? []) statements.push(...inline.PolicyDocument.Statement);
  return statements;
}

const actionsOf = (statements: Statement[]) => statements.flatMap((s) => [s.Action].flat());
const servesHttp = (group: string) => group === 'system' || ROUTES.some((r) => r.group === group);

describe('HTTP API', () => {
  it('has exactly the routes of shared/routes.ts, plus $default to the system function', () => {
    const keys = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map((r) => r.Properties.RouteKey);
    expect(keys.sort()).toEqual([...ROUTES.map(routeKey), '$default'].sort());
    const [fallback] = Object.values(
      template.findResources('AWS::ApiGatewayV2::Route', { Properties: { RouteKey: '$default' } }),
    );
    const target: unknown[] = fallback?.Properties.Target['Fn::Join'][1];
    expect(resource((target[1] as { Ref: string }).Ref).Properties.IntegrationUri).toEqual(aliasArn('system'));
  });

  it.each(ROUTES.map((route) => [routeKey(route), route.group] as const))(
    '%s is served by the %s function with payload format 2.0',
    (key, group) => {
      const [route] = Object.values(
        template.findResources('AWS::ApiGatewayV2::Route', { Properties: { RouteKey: key } }),
      );
      expect(route).toBeDefined();
      const target: unknown[] = route?.Properties.Target['Fn::Join'][1];
      expect(target[0]).toBe('integrations/');
      const integration = resource((target[1] as { Ref: string }).Ref);
      expect(integration.Properties).toMatchObject({
        IntegrationType: 'AWS_PROXY',
        IntegrationUri: aliasArn(group),
        PayloadFormatVersion: '2.0',
      });
      const path = key.slice(key.indexOf(' ') + 1);
      const permissions = Object.values(
        template.findResources('AWS::Lambda::Permission', {
          Properties: { FunctionName: aliasArn(group), Principal: 'apigateway.amazonaws.com' },
        }),
      );
      expect(JSON.stringify(permissions.map((p) => p.Properties.SourceArn))).toContain(`/*/*${path}"`);
    },
  );

  it('logs access to a log group and throttles at the stage', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      AccessLogSettings: { DestinationArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ApiAccessLogs'), 'Arn'] } },
      DefaultRouteSettings: { ThrottlingRateLimit: Match.anyValue(), ThrottlingBurstLimit: Match.anyValue() },
    });
  });
});

describe('functions', () => {
  it('deploys one function per group of shared/functions.ts', () => {
    expect(Object.keys(stack.functions).sort()).toEqual([...FUNCTION_GROUP_NAMES].sort());
  });

  // ARM, except the PDF renderers: @sparticuz/chromium's npm package ships an x64 Chromium only.
  it.each(FUNCTION_GROUP_NAMES)('%s runs Node 24 with its architecture, size and configuration', (group) => {
    const { Properties: props } = resource(logicalId(stack.functions[group]));
    expect(props).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: [(FUNCTION_GROUPS[group] as FunctionGroup).usesChromium ? 'x86_64' : 'arm64'],
      Handler: 'index.handler',
      MemorySize: FUNCTION_GROUPS[group].memoryMb,
      Timeout: FUNCTION_GROUPS[group].timeoutSeconds,
    });
    const env = props.Environment.Variables;
    expect(env).toMatchObject({
      [ENV.runtime]: 'aws',
      [ENV.table]: { Ref: logicalId(stack.table) },
      [ENV.serviceName]: `rac-${group}`,
      [ENV.windowOpenDay]: '25',
      [ENV.windowCloseDay]: '1',
    });
    expect(env[ENV.publicUrl]).toEqual({
      'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [logicalId(stack.site.distribution), 'DomainName'] }]],
    });
    expect(env[ENV.testMode]).toBeUndefined();
  });

  // Lambda puts the role's credentials in the environment; the SDK's default chain (config files,
  // SSO, web identity, instance metadata) was ~130 KiB of every cold start (shared/bundling.ts).
  it.each(FUNCTION_GROUP_NAMES)('%s is deployed with the environment credential provider alone', (group) => {
    const { Properties: props } = resource(logicalId(stack.functions[group]));
    const asset = String(props.Code.S3Key).replace(/\.zip$/, '');
    const code = readFileSync(join(app.outdir, `asset.${asset}`, 'index.mjs'), 'utf8');
    expect(code).toContain('@aws-sdk/credential-provider-env - fromEnv');
    expect(code).not.toContain('@aws-sdk/credential-provider-node - defaultProvider');
    expect(code).not.toContain('@aws-sdk/credential-provider-ini - fromIni');
  });

  it.each(FUNCTION_GROUP_NAMES)('%s is granted exactly what its group declares', (group) => {
    const def = FUNCTION_GROUPS[group];
    const roleId = logicalId(stack.functions[group].executionRole);
    expect(resource(roleId).Properties.ManagedPolicyArns).toBeUndefined();
    const actions = actionsOf(statementsOfRole(roleId));
    expect(actions.some((a) => a.startsWith('dynamodb:'))).toBe(def.tableAccess !== 'none');
    expect(actions.includes('dynamodb:PutItem')).toBe(def.tableAccess === 'readwrite');
    expect(actions.includes('secretsmanager:GetSecretValue')).toBe(def.readsSecrets.length > 0 || servesHttp(group));
    expect(actions.includes('ses:SendEmail')).toBe(def.sendsMail);
    expect(actions.includes('sms-voice:SendTextMessage')).toBe((def as FunctionGroup).sendsSms === true);
    expect(actions.filter((a) => a.includes('*'))).toEqual([]);
  });

  it('lets the texting groups send SMS through the stage’s sender id and configuration set only', () => {
    // L1 resources: their own logical ids (no default child).
    const senderId = stack.getLogicalId(stack.sms.senderId);
    const configurationSet = stack.getLogicalId(stack.sms.configurationSet);
    template.hasResourceProperties('AWS::SMSVOICE::SenderId', { SenderId: 'RACTEST', IsoCountryCode: 'RU' });
    const texting = FUNCTION_GROUP_NAMES.filter((g) => (FUNCTION_GROUPS[g] as FunctionGroup).sendsSms);
    expect(texting.sort()).toEqual(['auth', 'residents']);
    for (const group of texting) {
      const sms = statementsOfRole(logicalId(stack.functions[group].executionRole)).filter((s) =>
        [s.Action].flat().some((a) => String(a).startsWith('sms-voice:')),
      );
      expect(sms.map((s) => s.Action)).toEqual(['sms-voice:SendTextMessage']);
      expect(sms[0]?.Resource).toHaveLength(2);
      expect(sms[0]?.Resource).toEqual(
        expect.arrayContaining([{ 'Fn::GetAtt': [senderId, 'Arn'] }, { 'Fn::GetAtt': [configurationSet, 'Arn'] }]),
      );
      const env = resource(logicalId(stack.functions[group])).Properties.Environment.Variables;
      expect(env[ENV.smsOriginationIdentity]).toEqual({ 'Fn::GetAtt': [senderId, 'Arn'] });
      expect(env[ENV.smsConfigurationSet]).toEqual({ Ref: configurationSet });
    }
  });

  it('gives the system group (no table access) no DynamoDB permission at all', () => {
    expect(FUNCTION_GROUPS.system.tableAccess).toBe('none');
    const actions = actionsOf(statementsOfRole(logicalId(stack.functions.system.executionRole)));
    expect(actions.filter((a) => a.startsWith('dynamodb:'))).toEqual([]);
  });

  it('lets the window group (readwrite) read the table and its named indexes, and put only its CONFIG items', () => {
    expect(FUNCTION_GROUPS.window.tableAccess).toBe('readwrite');
    const statements = statementsOfRole(logicalId(stack.functions.window.executionRole));
    const tableArn = { 'Fn::GetAtt': [logicalId(stack.table), 'Arn'] };
    const get = statements.find((s) => [s.Action].flat().includes('dynamodb:GetItem'));
    expect(get?.Resource).toEqual([
      tableArn,
      ...MAIN_TABLE.globalSecondaryIndexes.map((i) => ({ 'Fn::Join': ['', [tableArn, `/index/${i.indexName}`]] })),
    ]);
    const put = statements.find((s) => [s.Action].flat().includes('dynamodb:PutItem')) as Statement & Json;
    expect(put?.Effect).toBe('Allow');
    expect(put?.Resource).toEqual(tableArn);
    expect(put?.Condition).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['CONFIG*'] } });
  });

  it('lets a group that sends mail and reads keys do so only from its sender identity and on its own secret', () => {
    // A test stack gives one group both flags.
    const scope = new Stack(new App({ outdir: synthDir() }), 'MailTest');
    const secrets = Object.fromEntries(SECRET_PURPOSES.map((p) => [p, new Secret(scope, `${p}Secret`)])) as Record<
      SecretPurpose,
      Secret
    >;
    const fn = new PortalFunction(scope, 'Mailer', {
      group: 'system',
      definition: { ...FUNCTION_GROUPS.system, sendsMail: true, readsSecrets: ['session'] },
    });
    fn.bindSecrets({ secrets, servesHttp: false });
    fn.bindMail({ from: 'noreply@rac.example' });
    const t = Template.fromStack(scope).toJSON();
    const roleId = scope.getLogicalId(fn.executionRole.node.defaultChild as CfnElement);
    const statements = Object.values(t.Resources as Json)
      .filter((r) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((x: Json) => x.Ref === roleId))
      .flatMap((r) => r.Properties.PolicyDocument.Statement as Statement[]);
    const ses = statements.find((s) => [s.Action].flat().includes('ses:SendEmail'));
    expect(JSON.stringify(ses?.Resource)).toContain(':identity/rac.example"');
    expect(JSON.stringify(ses?.Resource)).toContain(':identity/noreply@rac.example"');
    expect(JSON.stringify(ses?.Resource)).not.toContain('*');
    const secret = statements.find((s) => [s.Action].flat().includes('secretsmanager:GetSecretValue'));
    expect(secret?.Resource).toEqual({ Ref: scope.getLogicalId(secrets.session.node.defaultChild as CfnElement) });
    const fnProps = Object.values(t.Resources as Json).find((r) => r.Type === 'AWS::Lambda::Function')?.Properties;
    expect(fnProps.Environment.Variables[ENV.mailFrom]).toBe('noreply@rac.example');
  });

  it('alarms on every function’s errors', () => {
    for (const fn of Object.values(stack.functions)) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalId(fn) } }],
        AlarmActions: [{ Ref: Match.stringLikeRegexp('^AlarmTopic') }],
      });
    }
  });
});

describe('table', () => {
  it('is deployed from shared/tables.ts with PITR, deletion protection and TTL, and retained', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
        TimeToLiveSpecification: { AttributeName: MAIN_TABLE.timeToLiveAttribute, Enabled: true },
        KeySchema: [
          { AttributeName: MAIN_TABLE.partitionKey.name, KeyType: 'HASH' },
          { AttributeName: MAIN_TABLE.sortKey.name, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: MAIN_TABLE.globalSecondaryIndexes.map((index) =>
          Match.objectLike({
            IndexName: index.indexName,
            KeySchema: [
              { AttributeName: index.partitionKey.name, KeyType: 'HASH' },
              { AttributeName: index.sortKey.name, KeyType: 'RANGE' },
            ],
          }),
        ),
      },
    });
  });
});

describe('schedules', () => {
  const jobs = scheduleDefinitions({ windowOpenDay: 25, windowCloseDay: 1 });

  it('has exactly the jobs of shared/schedules.ts', () => {
    const inputs = Object.values(template.findResources('AWS::Scheduler::Schedule')).map(
      (s) => JSON.parse(s.Properties.Target.Input).job,
    );
    expect(inputs.sort()).toEqual(jobs.map((j) => j.job).sort());
  });

  it.each(jobs.map((job) => [job.job, job] as const))(
    '%s fires in Moscow time at its cron, invoking its group with {job}, retried, dead-lettered',
    (_, job) => {
      expect(SCHEDULE_TIMEZONE).toBe('Europe/Moscow');
      template.hasResourceProperties('AWS::Scheduler::Schedule', {
        ScheduleExpression: eventBridgeCron(job.cron),
        ScheduleExpressionTimezone: 'Europe/Moscow',
        State: 'ENABLED',
        Target: {
          Arn: aliasArn(job.group),
          Input: JSON.stringify({ job: job.job }),
          RetryPolicy: { MaximumRetryAttempts: Match.anyValue(), MaximumEventAgeInSeconds: Match.anyValue() },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [logicalId(stack.scheduleDeadLetters), 'Arn'] } },
        },
      });
    },
  );

  it('dead-letters into an encrypted, TLS-only queue watched by an alarm', () => {
    const queueId = logicalId(stack.scheduleDeadLetters);
    expect(resource(queueId).Properties.SqsManagedSseEnabled).toBe(true);
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queueId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
    });
  });

  it('takes the window days from context, for the schedules and the functions alike', () => {
    const custom = synth({ windowOpenDay: '20', windowCloseDay: 2 });
    const t = Template.fromStack(custom.stack);
    for (const job of scheduleDefinitions({ windowOpenDay: 20, windowCloseDay: 2 })) {
      t.hasResourceProperties('AWS::Scheduler::Schedule', {
        ScheduleExpression: eventBridgeCron(job.cron),
        Target: { Input: JSON.stringify({ job: job.job }) },
      });
    }
    t.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { [ENV.windowOpenDay]: '20', [ENV.windowCloseDay]: '2' } },
    });
  });

  it('refuses window days the functions would refuse', () => {
    expect(() => synth({ windowOpenDay: 31 })).toThrow(/windowOpenDay/);
  });
});

describe('work queues (the billing run’s fan-out)', () => {
  const queueArn = (name: QueueName) => ({ 'Fn::GetAtt': [logicalId(stack.queues[name].queue), 'Arn'] });

  it.each(QUEUE_NAMES)('%s is encrypted, TLS-only, and dead-letters after its receive count', (name) => {
    const def = QUEUES[name];
    const { queue, deadLetters } = stack.queues[name];
    expect(resource(logicalId(queue)).Properties).toMatchObject({
      SqsManagedSseEnabled: true,
      VisibilityTimeout: visibilityTimeoutSeconds(FUNCTION_GROUPS[def.consumer].timeoutSeconds),
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [logicalId(deadLetters), 'Arn'] },
        maxReceiveCount: def.maxReceiveCount,
      },
    });
    expect(resource(logicalId(deadLetters)).Properties.SqsManagedSseEnabled).toBe(true);
    for (const q of [queue, deadLetters]) {
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: logicalId(q) }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    }
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(deadLetters), 'QueueName'] } }],
    });
  });

  it.each(QUEUE_NAMES)(
    '%s is mapped onto its consumer with partial batch responses and bounded concurrency',
    (name) => {
      const def = QUEUES[name];
      const mappings = Object.values(template.findResources('AWS::Lambda::EventSourceMapping'));
      const mine = mappings.filter(
        (m) => JSON.stringify(m.Properties.EventSourceArn) === JSON.stringify(queueArn(name)),
      );
      expect(mine).toHaveLength(1);
      expect(JSON.stringify(mine[0]?.Properties.FunctionName)).toContain(logicalId(stack.functions[def.consumer].live));
      expect(mine[0]?.Properties).toMatchObject({
        BatchSize: def.batchSize,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ScalingConfig: { MaximumConcurrency: def.maxConcurrency },
      });
    },
  );

  it.each(QUEUE_NAMES)(
    '%s: only its consumer receives and only its producers send, each grant on one queue',
    (name) => {
      const def: QueueDefinition = QUEUES[name];
      // The work queues, and the scheduled jobs' on-failure destination (Lambda sends to it).
      const ours = [
        ...QUEUE_NAMES.map((q) => JSON.stringify(queueArn(q))),
        JSON.stringify({ 'Fn::GetAtt': [logicalId(stack.jobFailures), 'Arn'] }),
      ];
      for (const group of FUNCTION_GROUP_NAMES) {
        const statements = statementsOfRole(logicalId(stack.functions[group].executionRole));
        const sqs = statements.filter((st) => [st.Action].flat().some((a) => a.startsWith('sqs:')));
        for (const st of sqs) expect(ours, group).toContain(JSON.stringify(st.Resource));
        const actions = actionsOf(sqs.filter((st) => JSON.stringify(st.Resource) === JSON.stringify(queueArn(name))));
        expect(actions.includes('sqs:ReceiveMessage'), group).toBe(group === def.consumer);
        expect(actions.includes('sqs:DeleteMessage'), group).toBe(group === def.consumer);
        expect(actions.includes('sqs:SendMessage'), group).toBe(def.producers.includes(group));
        const env = resource(logicalId(stack.functions[group])).Properties.Environment.Variables;
        if (def.producers.includes(group))
          expect(env[def.urlEnv]).toEqual({ Ref: logicalId(stack.queues[name].queue) });
        else expect(env[def.urlEnv], group).toBeUndefined();
      }
    },
  );

  it('gives the statement group (the resident’s money pages) read access to the table and nothing to write', () => {
    const actions = actionsOf(statementsOfRole(logicalId(stack.functions.statement.executionRole)));
    expect(actions).toContain('dynamodb:Query');
    expect(actions.filter((a) => a.startsWith('dynamodb:') && /Put|Update|Delete|BatchWrite/.test(a))).toEqual([]);
  });
});

describe('site', () => {
  it('serves the private bucket through origin access control, with security headers', () => {
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: { OriginAccessControlOriginType: 's3', SigningBehavior: 'always' },
    });
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 's3/' }),
    });
    template.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: {
        SecurityHeadersConfig: Match.objectLike({
          StrictTransportSecurity: Match.objectLike({ Override: true }),
          ContentSecurityPolicy: Match.objectLike({
            ContentSecurityPolicy: Match.stringLikeRegexp("default-src 'self'"),
          }),
        }),
      },
    });
  });

  it('routes /api/* to the HTTP API uncached, with every method and the viewer’s request but Host', () => {
    const config = resource(logicalId(stack.site.distribution)).Properties.DistributionConfig;
    expect(config.DefaultRootObject).toBe('index.html');
    const api = config.CacheBehaviors.find((b: Json) => b.PathPattern === '/api/*');
    expect(api).toMatchObject({
      AllowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'],
      CachePolicyId: stack.resolve(CachePolicy.CACHING_DISABLED.cachePolicyId),
      OriginRequestPolicyId: stack.resolve(OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER.originRequestPolicyId),
    });
    const origin = config.Origins.find((o: Json) => o.Id === api.TargetOriginId);
    expect(JSON.stringify(origin.DomainName)).toContain(logicalId(stack.api));
    expect(JSON.stringify(origin.DomainName)).toContain('.execute-api.');
  });

  it('falls back to index.html for client routes on the site only, so API errors reach the client', () => {
    const config = resource(logicalId(stack.site.distribution)).Properties.DistributionConfig;
    expect(config.CustomErrorResponses).toBeUndefined();
    expect(config.DefaultCacheBehavior.FunctionAssociations).toEqual([
      expect.objectContaining({ EventType: 'viewer-request' }),
    ]);
    const api = config.CacheBehaviors.find((b: Json) => b.PathPattern === '/api/*');
    expect(api.FunctionAssociations).toBeUndefined();
  });

  it('compresses the site at the edge, caches hashed assets for a year and makes pages revalidate', () => {
    const config = resource(logicalId(stack.site.distribution)).Properties.DistributionConfig;
    const assets = config.CacheBehaviors.find((b: Json) => b.PathPattern === `${SITE_ASSETS_PREFIX}*`);
    const optimized = stack.resolve(CachePolicy.CACHING_OPTIMIZED.cachePolicyId);
    for (const behavior of [config.DefaultCacheBehavior, assets]) {
      expect(behavior).toMatchObject({ Compress: true, CachePolicyId: optimized });
    }
    expect(assets.TargetOriginId).toBe(config.DefaultCacheBehavior.TargetOriginId);
    const cacheControl = (behavior: Json) =>
      resource(behavior.ResponseHeadersPolicyId.Ref).Properties.ResponseHeadersPolicyConfig.CustomHeadersConfig.Items;
    expect(cacheControl(config.DefaultCacheBehavior)).toEqual([
      { Header: 'Cache-Control', Value: SITE_CACHE_CONTROL.page, Override: true },
    ]);
    expect(cacheControl(assets)).toEqual([
      { Header: 'Cache-Control', Value: SITE_CACHE_CONTROL.assets, Override: true },
    ]);
    const csp = (behavior: Json) =>
      resource(behavior.ResponseHeadersPolicyId.Ref).Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig
        .ContentSecurityPolicy.ContentSecurityPolicy;
    expect(csp(assets)).toBe(SITE_CONTENT_SECURITY_POLICY);
  });

  it('still synthesizes, with a placeholder page and a warning, when the site is not built', () => {
    const unbuilt = synth({ siteDir: join(tmpdir(), 'rac-no-such-site') });
    const assembly = unbuilt.app.synth();
    const warnings = JSON.stringify(assembly.getStackArtifact(unbuilt.stack.artifactId).messages);
    const report = readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8');
    expect(warnings + report).toContain('site-placeholder');
  });

  it('alarms on the API’s 5xx', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/ApiGateway',
      MetricName: '5xx',
      Dimensions: [{ Name: 'ApiId', Value: { Ref: logicalId(stack.api) } }],
    });
  });

  it('outputs the site URL, the API URL and the table name', () => {
    const outputs = template.toJSON().Outputs;
    expect(outputs.SiteUrl.Value).toEqual({
      'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [logicalId(stack.site.distribution), 'DomainName'] }]],
    });
    expect(outputs.ApiUrl.Value).toEqual({ 'Fn::GetAtt': [logicalId(stack.api), 'ApiEndpoint'] });
    expect(outputs.TableName.Value).toEqual({ Ref: logicalId(stack.table) });
  });
});

/** WAF's byte match, as WAF evaluates it, over a synthesized scope-down statement. */
function wafMatches(statement: Json, request: { method: string; path: string }): boolean {
  if (statement.AndStatement) return statement.AndStatement.Statements.every((s: Json) => wafMatches(s, request));
  if (statement.OrStatement) return statement.OrStatement.Statements.some((s: Json) => wafMatches(s, request));
  if (statement.NotStatement) return !wafMatches(statement.NotStatement.Statement, request);
  const byte = statement.ByteMatchStatement;
  const raw = byte.FieldToMatch.Method ? request.method : request.path;
  const lower = byte.TextTransformations.some((t: Json) => t.Type === 'LOWERCASE');
  const value = lower ? raw.toLowerCase() : raw;
  if (byte.PositionalConstraint === 'EXACTLY') return value === byte.SearchString;
  if (byte.PositionalConstraint === 'STARTS_WITH') return value.startsWith(byte.SearchString);
  throw new Error(`unexpected positional constraint ${byte.PositionalConstraint}`);
}

function rateRules(): Json[] {
  const acl = Object.values(edgeTemplate.findResources('AWS::WAFv2::WebACL'))[0]?.Properties;
  return (acl.Rules as Json[]).filter((r) => r.Statement.RateBasedStatement);
}

/** The rate rules that count a request, by name. */
function countedBy(request: { method: string; path: string }): string[] {
  return rateRules()
    .filter((r) => wafMatches(r.Statement.RateBasedStatement.ScopeDownStatement, request))
    .map((r) => String(r.Name).replace(/^RateLimit/, ''));
}

/** A concrete request path for a route path (`/api/pay/{id}` → `/api/pay/x1`). */
const concrete = (path: string) => path.replace(/\{\w+\}/g, 'x1');

describe('trust: the edge, the origin, throttles and secrets', () => {
  it('puts a us-east-1 web ACL with the managed rule groups and per-address limits in front of CloudFront', () => {
    expect(edge.region).toBe('us-east-1');
    const acls = Object.values(edgeTemplate.findResources('AWS::WAFv2::WebACL'));
    expect(acls).toHaveLength(1);
    const acl = acls[0]?.Properties;
    expect(acl.Scope).toBe('CLOUDFRONT');
    expect(acl.DefaultAction).toEqual({ Allow: {} });
    const rules = acl.Rules as Json[];
    for (const name of MANAGED_RULE_GROUPS) {
      expect(rules.find((r) => r.Statement.ManagedRuleGroupStatement?.Name === name)).toMatchObject({
        OverrideAction: { None: {} },
        Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS' } },
      });
    }
    // The web ACL's rate rules are exactly ours, in order, and within AWS's quota per web ACL.
    expect(rateRules().map((r) => r.Name)).toEqual(EDGE_RATE_LIMITS.map((l) => `RateLimit${l.name}`));
    expect(rateRules().length).toBeLessThanOrEqual(MAX_RATE_RULES);
    // Long Cyrillic support messages and passwords with `<…>` are counted, not blocked.
    const common = rules.find((r) => r.Statement.ManagedRuleGroupStatement?.Name === 'AWSManagedRulesCommonRuleSet');
    expect(common?.Statement.ManagedRuleGroupStatement.RuleActionOverrides).toEqual(
      COUNTED_COMMON_RULES.map((name) => ({ Name: name, ActionToUse: { Count: {} } })),
    );
    for (const limit of EDGE_RATE_LIMITS) {
      const rule = rules.find((r) => r.Name === `RateLimit${limit.name}`);
      expect(rule, limit.name).toMatchObject({
        Action: {
          Block: {
            CustomResponse: {
              ResponseCode: 429,
              ResponseHeaders: [{ Name: 'retry-after', Value: String(EDGE_RATE_WINDOW_SECONDS) }],
            },
          },
        },
        Statement: { RateBasedStatement: { Limit: limit.limit, AggregateKeyType: 'IP' } },
      });
      // Narrower rules first, the catch-all last: a flood meets its own count before the general one.
      expect(rule?.Priority, limit.name).toBeLessThanOrEqual(rules.find((r) => r.Name === 'RateLimitApi')?.Priority);
    }
    const body = JSON.parse(Object.values(acl.CustomResponseBodies as Json)[0].Content);
    expect(body.error.code).toBe('too_many_attempts');
    // Associated: the distribution names the ACL, read across regions from the edge stack.
    const config = resource(logicalId(stack.site.distribution)).Properties.DistributionConfig;
    expect(config.WebACLId).toBeDefined();
    expect(config.WebACLId).toEqual({
      'Fn::GetStackOutput': expect.objectContaining({ StackName: edge.stackName, Region: 'us-east-1' }),
    });
  });

  it('counts POST /api/pay (paying without login) per address on its exact path, not the residents’ payments', () => {
    const rules = Object.values(edgeTemplate.findResources('AWS::WAFv2::WebACL'))[0]?.Properties.Rules as Json[];
    const guestPay = EDGE_RATE_LIMITS.find((l) => l.name === 'GuestPay');
    expect(guestPay).toMatchObject({ paths: ['/api/pay'], method: 'POST' });
    expect(ROUTES.find((r) => r.method === 'POST' && r.path === '/api/pay')).toMatchObject({ auth: false });
    const rule = rules.find((r) => r.Name === 'RateLimitGuestPay');
    const scope = rule?.Statement.RateBasedStatement.ScopeDownStatement as Json;
    expect(wafMatches(scope, { method: 'POST', path: '/api/pay' })).toBe(true);
    expect(wafMatches(scope, { method: 'POST', path: '/API/Pay' })).toBe(true);
    // The result page's polling, the residents' own payments and other methods are not counted here.
    expect(wafMatches(scope, { method: 'GET', path: '/api/pay/310001-abc' })).toBe(false);
    expect(wafMatches(scope, { method: 'GET', path: '/api/pay' })).toBe(false);
    expect(wafMatches(scope, { method: 'POST', path: '/api/payments' })).toBe(false);
    expect(wafMatches(scope, { method: 'POST', path: '/api/pay/x' })).toBe(false);
    // Tighter than the robot check's own limit: every order needs a fresh challenge.
    const captcha = EDGE_RATE_LIMITS.find((l) => l.name === 'Captcha');
    expect(rule?.Statement.RateBasedStatement.Limit).toBeLessThanOrEqual(captcha?.limit ?? 0);
    // Before the catch-all /api/ rule, so the narrower count is the one a flood meets first.
    const api = rules.find((r) => r.Name === 'RateLimitApi');
    expect(rule?.Priority).toBeLessThan(api?.Priority);
  });

  it('counts every route without a session that changes something on a rule narrower than the catch-all', () => {
    const limitOf = (name: string) => EDGE_RATE_LIMITS.find((l) => l.name === name)?.limit ?? Number.NaN;
    const unauthenticatedWrites = ROUTES.filter((r) => !r.auth && r.method !== 'GET' && !('csrfExempt' in r));
    expect(unauthenticatedWrites.map(routeKey)).toEqual(
      expect.arrayContaining(['POST /api/support', 'POST /api/profile/email/confirm', 'POST /api/profile/email/undo']),
    );
    for (const route of unauthenticatedWrites) {
      const request = { method: route.method, path: concrete(route.path) };
      const rules = countedBy(request);
      expect(rules, routeKey(route)).toContain('Api');
      const own = rules.filter((name) => name !== 'Api');
      expect(own.length, routeKey(route)).toBeGreaterThan(0);
      for (const name of own) expect(limitOf(name), `${routeKey(route)} ${name}`).toBeLessThan(limitOf('Api'));
    }
    // Exact path and method: guests' tickets and the mailed links, not the resident's own requests
    // on neighbouring paths.
    expect(countedBy({ method: 'POST', path: '/api/support' })).toEqual(['SupportTicket', 'Api']);
    expect(countedBy({ method: 'POST', path: '/API/Support' })).toContain('SupportTicket');
    expect(countedBy({ method: 'GET', path: '/api/support' })).toEqual(['Api']);
    expect(countedBy({ method: 'POST', path: '/api/support/1234567/messages' })).toEqual(['Api']);
    expect(countedBy({ method: 'POST', path: '/api/profile/email/confirm' })).toEqual(['EmailLinks', 'Api']);
    expect(countedBy({ method: 'POST', path: '/api/profile/email/undo' })).toEqual(['EmailLinks', 'Api']);
    expect(countedBy({ method: 'POST', path: '/api/profile/email' })).toEqual(['Api']);
    expect(countedBy({ method: 'POST', path: '/api/profile/email/confirm/x' })).toEqual(['Api']);
    // A guest's ticket needs a fresh robot check: no more tickets than challenges get through.
    expect(limitOf('SupportTicket')).toBeLessThanOrEqual(limitOf('Captcha'));
  });

  it('never lets WAF shut out a bank: signed routes only meet a ceiling above what the gateway lets through', () => {
    const signed = ROUTES.filter((r) => 'csrfExempt' in r && r.csrfExempt);
    expect(signed.map(routeKey).sort()).toEqual(
      [
        'GET /api/webhooks/sber',
        'POST /api/webhooks/sber',
        'POST /api/banks/{bank}/check',
        'POST /api/banks/{bank}/payments',
      ].sort(),
    );
    for (const route of signed) {
      const path = concrete(route.path);
      expect(countedBy({ method: route.method, path }), routeKey(route)).toEqual(['Banks']);
      expect(countedBy({ method: route.method, path: path.toUpperCase() }), routeKey(route)).toEqual(['Banks']);
    }
    // What the route throttles pass from all bank routes together in one window; WAF blocks every
    // request of an address past its limit, retries included, so its ceiling sits at twice that.
    const passed = signed.reduce((sum, route) => {
      const throttle = ROUTE_THROTTLES.find((t) => route.path.startsWith(t.pathPrefix));
      expect(throttle, routeKey(route)).toBeDefined();
      return sum + (throttle?.rateLimit ?? 0) * EDGE_RATE_WINDOW_SECONDS + (throttle?.burstLimit ?? 0);
    }, 0);
    const banks = EDGE_RATE_LIMITS.find((l) => l.name === 'Banks');
    expect(banks?.limit).toBeGreaterThanOrEqual(2 * passed);
    expect([...SIGNED_PATH_PREFIXES].sort()).toEqual(ROUTE_THROTTLES.map((t) => t.pathPrefix).sort());
    // The residents' API is still counted by the catch-all and never by the banks' ceiling.
    for (const request of [
      { method: 'GET', path: '/api/me' },
      { method: 'POST', path: '/api/readings' },
      { method: 'GET', path: '/api/pay/310001-abc' },
      { method: 'GET', path: '/api/health' },
      { method: 'POST', path: '/api/bank' },
    ]) {
      expect(countedBy(request), request.path).toContain('Api');
      expect(countedBy(request), request.path).not.toContain('Banks');
    }
  });

  it('sends the origin secret from CloudFront to the API, and gives it to every function serving HTTP', () => {
    const config = resource(logicalId(stack.site.distribution)).Properties.DistributionConfig;
    const api = config.CacheBehaviors.find((b: Json) => b.PathPattern === '/api/*');
    const origin = config.Origins.find((o: Json) => o.Id === api.TargetOriginId);
    expect(origin.OriginCustomHeaders).toEqual([
      { HeaderName: ORIGIN_HEADER, HeaderValue: { 'Fn::GetAtt': [logicalId(stack.secrets.seeds.origin), 'Value'] } },
    ]);
    // The value comes back from the seeding NoEcho, never written into the template.
    expect(JSON.stringify(template.toJSON())).not.toMatch(/X-Rac-Origin-Verify"\s*:\s*"[A-Za-z0-9_-]{20,}"/i);
    for (const group of FUNCTION_GROUP_NAMES) {
      const env = resource(logicalId(stack.functions[group])).Properties.Environment.Variables;
      expect(env[ENV.originSecretArn] !== undefined, group).toBe(servesHttp(group));
    }
  });

  it('serves the site with the CSP of shared/sitePolicy.ts', () => {
    template.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: {
        SecurityHeadersConfig: Match.objectLike({
          ContentSecurityPolicy: { ContentSecurityPolicy: SITE_CONTENT_SECURITY_POLICY, Override: true },
        }),
      },
    });
  });

  it('throttles the bank and webhook routes apart from the stage-wide default', () => {
    const stage = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'))[0]?.Properties;
    const throttled = ROUTES.filter((r) => ROUTE_THROTTLES.some((t) => r.path.startsWith(t.pathPrefix)));
    expect(throttled.map((r) => r.path)).toEqual(
      expect.arrayContaining(['/api/webhooks/sber', '/api/banks/{bank}/check', '/api/banks/{bank}/payments']),
    );
    expect(Object.keys(stage.RouteSettings).sort()).toEqual(throttled.map(routeKey).sort());
    for (const route of throttled) {
      const limits = ROUTE_THROTTLES.find((t) => route.path.startsWith(t.pathPrefix));
      expect(stage.RouteSettings[routeKey(route)]).toEqual({
        ThrottlingRateLimit: limits?.rateLimit,
        ThrottlingBurstLimit: limits?.burstLimit,
      });
    }
    expect(stage.DefaultRouteSettings.ThrottlingRateLimit).toBeGreaterThan(ROUTE_THROTTLES[0].rateLimit);
  });

  it('keeps one secret per purpose, retained, with no value in the template to regenerate', () => {
    const secrets = template.findResources('AWS::SecretsManager::Secret');
    expect(Object.keys(secrets).sort()).toEqual(
      SECRET_PURPOSES.map((p) => stack.getLogicalId(stack.secrets.resources[p])).sort(),
    );
    for (const secret of Object.values(secrets)) {
      expect(secret.Properties.GenerateSecretString).toBeUndefined();
      expect(secret.Properties.SecretString).toBeUndefined();
      expect(secret.DeletionPolicy).toBe('Retain');
    }
    const seed = resource(logicalId(stack.secrets.seeds.passport)).Properties;
    expect(seed).toMatchObject({
      SecretId: { Ref: stack.getLogicalId(stack.secrets.resources.passport) },
      Generate: [ENV.passportKey],
    });
    // The seeder may describe and put a first value; it can neither create, update, rotate nor delete.
    const seederRole = logicalId(stack.secrets.seeder.role as unknown as IConstruct);
    const actions = actionsOf(statementsOfRole(seederRole));
    expect(new Set(actions.filter((a) => a.startsWith('secretsmanager:')))).toEqual(
      new Set(['secretsmanager:DescribeSecret', 'secretsmanager:PutSecretValue', 'secretsmanager:GetSecretValue']),
    );
  });

  it.each(FUNCTION_GROUP_NAMES)('%s reads exactly its own secrets', (group) => {
    const wanted = new Set<SecretPurpose>(FUNCTION_GROUPS[group].readsSecrets);
    if (servesHttp(group)) wanted.add('origin');
    const env = resource(logicalId(stack.functions[group])).Properties.Environment.Variables;
    for (const purpose of SECRET_PURPOSES) {
      expect(env[SECRETS[purpose].arnVariable] !== undefined, `${group} ${purpose}`).toBe(wanted.has(purpose));
    }
    const roleId = logicalId(stack.functions[group].executionRole);
    const readable = statementsOfRole(roleId)
      .filter((s) => [s.Action].flat().includes('secretsmanager:GetSecretValue'))
      .flatMap((s) => [s.Resource].flat());
    expect(readable).toEqual(
      expect.arrayContaining([...wanted].map((p) => ({ Ref: stack.getLogicalId(stack.secrets.resources[p]) }))),
    );
    expect(readable).toHaveLength(wanted.size);
  });

  it('seeds a secret only while it has no value, and never on delete', async () => {
    const exports: Json = {};
    const sent: Json[] = [];
    const command = (name: string) =>
      class {
        constructor(readonly input: Json) {
          sent.push({ name, input });
        }
      };
    const sdk = {
      SecretsManagerClient: class {},
      DescribeSecretCommand: command('Describe'),
      PutSecretValueCommand: command('Put'),
      GetSecretValueCommand: command('Get'),
    };
    const load = new Function('require', 'exports', SEED_HANDLER);
    const nodeRequire = createRequire(import.meta.url);
    load((id: string) => (id === '@aws-sdk/client-secrets-manager' ? sdk : nodeRequire(id)), exports);
    const client = (versions: Json) => ({ send: async () => versions });
    // A secret with a current value: nothing is written.
    await exports.seed(
      { SecretId: 'passport', Generate: [ENV.passportKey] },
      client({ VersionIdsToStages: { v1: ['AWSCURRENT'] } }),
    );
    expect(sent.map((c) => c.name)).toEqual(['Describe']);
    // An empty secret: one random value of its own, never a constant.
    sent.length = 0;
    await exports.seed(
      { SecretId: 'passport', Generate: [ENV.passportKey], Empty: [] },
      client({ VersionIdsToStages: {} }),
    );
    const put = sent.find((c) => c.name === 'Put');
    const value = JSON.parse(put?.input.SecretString)[ENV.passportKey];
    expect(value).toMatch(/^[A-Za-z0-9_-]{64}$/);
    expect(JSON.stringify(template.toJSON())).not.toContain(value);
  });
});

describe('operable in production', () => {
  const scheduledGroups = [
    ...new Set(scheduleDefinitions({ windowOpenDay: 25, windowCloseDay: 1 }).map((j) => j.group)),
  ];

  it('sends a scheduled job that threw on every retry to the JobFailures queue, which alarms', () => {
    for (const group of scheduledGroups) {
      template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: logicalId(stack.functions[group]) },
        MaximumRetryAttempts: JOB_FAILURES.retryAttempts,
        MaximumEventAgeInSeconds: JOB_FAILURES.maxEventAgeHours * 3600,
        DestinationConfig: {
          OnFailure: { Destination: { 'Fn::GetAtt': [logicalId(stack.jobFailures), 'Arn'] } },
        },
      });
    }
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(stack.jobFailures), 'QueueName'] } }],
      AlarmActions: Match.anyValue(),
    });
  });

  it('gives nobody dynamodb:Scan', () => {
    for (const group of FUNCTION_GROUP_NAMES) {
      const actions = actionsOf(statementsOfRole(logicalId(stack.functions[group].executionRole)));
      expect(actions, group).not.toContain('dynamodb:Scan');
    }
  });

  it.each(FUNCTION_GROUP_NAMES.filter((g) => (FUNCTION_GROUPS[g] as FunctionGroup).writesKeyPrefixes))(
    'holds the %s group’s writes to its own key prefixes',
    (group) => {
      const prefixes = (FUNCTION_GROUPS[group] as FunctionGroup).writesKeyPrefixes ?? [];
      const writes = statementsOfRole(logicalId(stack.functions[group].executionRole)).filter((s) =>
        actionsOf([s]).some((a) => /dynamodb:(Put|Update|Delete|BatchWrite)/.test(a)),
      ) as Array<Statement & Json>;
      expect(writes).toHaveLength(1);
      expect(writes[0]?.Condition).toEqual({
        'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': prefixes.map((p) => `${p}*`) },
      });
    },
  );

  it('reserves concurrency for the renderers and the queue consumers, above their queues’ maxConcurrency', () => {
    for (const group of ['epd', 'epdIssue', 'billing', 'readingMail'] as const) {
      const reserved = (FUNCTION_GROUPS[group] as FunctionGroup).reservedConcurrency;
      expect(reserved, group).toBeGreaterThan(0);
      expect(resource(logicalId(stack.functions[group])).Properties.ReservedConcurrentExecutions).toBe(reserved);
      const consumed = QUEUE_NAMES.filter((q) => QUEUES[q].consumer === group).reduce(
        (sum, q) => sum + QUEUES[q].maxConcurrency,
        0,
      );
      expect(reserved, group).toBeGreaterThan(consumed);
    }
  });

  it.each(QUEUE_NAMES)('lets the %s queue redeliver at least five times before dead-lettering', (name) => {
    expect(
      resource(logicalId(stack.queues[name].queue)).Properties.RedrivePolicy.maxReceiveCount,
    ).toBeGreaterThanOrEqual(5);
  });

  it('paces the ЕПД issuance’s mail so all its instances together stay under its share of SES’s rate', () => {
    const env = resource(logicalId(stack.functions.epdIssue)).Properties.Environment.Variables;
    const def = FUNCTION_GROUPS.epdIssue as FunctionGroup;
    const perInstance = Number(env[ENV.sesSendRate]);
    expect(perInstance * (def.reservedConcurrency ?? 1)).toBeLessThanOrEqual(14 * (def.mailRateShare ?? 1) + 0.01);
  });

  it('traces every function actively', () => {
    for (const group of FUNCTION_GROUP_NAMES) {
      expect(resource(logicalId(stack.functions[group])).Properties.TracingConfig, group).toEqual({ Mode: 'Active' });
    }
  });

  it.each(FUNCTION_GROUP_NAMES)('alarms on the %s group’s 500s, throttles and p95 latency', (group) => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: METRICS_NAMESPACE,
      MetricName: OPS_METRIC.unhandledError,
      Dimensions: [{ Name: 'service', Value: `rac-${group}` }],
      AlarmActions: Match.anyValue(),
    });
    const fnDimension = [{ Name: 'FunctionName', Value: { Ref: logicalId(stack.functions[group]) } }];
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Throttles', Dimensions: fnDimension });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Duration',
      ExtendedStatistic: 'p95',
      Dimensions: fnDimension,
      Threshold: FUNCTION_GROUPS[group].timeoutSeconds * 800,
    });
  });

  it('alarms on DynamoDB throttles, queue age, SES reputation and a missing billing or ЕПД run', () => {
    for (const name of ['ReadThrottleEvents', 'WriteThrottleEvents']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/DynamoDB',
        MetricName: name,
        Dimensions: [{ Name: 'TableName', Value: { Ref: logicalId(stack.table) } }],
      });
    }
    for (const name of QUEUE_NAMES) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ApproximateAgeOfOldestMessage',
        Dimensions: [
          { Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(stack.queues[name].queue), 'QueueName'] } },
        ],
      });
    }
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SES',
      MetricName: 'Reputation.BounceRate',
      Threshold: 0.05,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SES',
      MetricName: 'Reputation.ComplaintRate',
      Threshold: 0.001,
    });
    for (const [metric, group] of [
      [OPS_METRIC.billingRunMissing, 'billing'],
      [OPS_METRIC.epdRunMissing, 'epdIssue'],
    ]) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: METRICS_NAMESPACE,
        MetricName: metric,
        Dimensions: [{ Name: 'service', Value: `rac-${group}` }],
        AlarmActions: Match.anyValue(),
      });
    }
  });

  it('has a dashboard', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });

  it('refuses a production stage without an alarm address', () => {
    expect(() => synth({ stage: 'prod', account: '123456789012', region: 'eu-central-1' })).toThrow(/alarmEmail/);
  });
});

describe('cdk-nag AwsSolutions', () => {
  it('finds nothing unacknowledged, errors or warnings', () => {
    const report = new AwsSolutionsChecks().validateScope(app);
    const findings = report.violations.flatMap((v) =>
      v.violatingResources.map((r) => `${v.severity} ${v.ruleName} at ${r.constructPath}`),
    );
    expect(findings).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('leaves nothing in the validation report that synth writes', () => {
    const assembly = app.synth();
    const report = JSON.parse(readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8'));
    const reports = report.pluginReports as Json[];
    expect(reports.filter((r) => r.conclusion === 'failure')).toEqual([]);
    const nag = reports.filter((r) => r.pluginName === new AwsSolutionsChecks().name);
    expect(nag.flatMap((r) => r.violations)).toEqual([]);
  });

  it('gives every acknowledgement a reason', () => {
    const acknowledged = Object.values(template.toJSON().Resources).flatMap(
      (r: any) => r.Metadata?.cdk_nag?.rules_to_suppress ?? [],
    ) as Array<{ id: string; reason: string }>;
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const ack of acknowledged) expect(ack.reason.length, ack.id).toBeGreaterThan(30);
  });
});
