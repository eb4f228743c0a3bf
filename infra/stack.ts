import { CfnOutput, Duration, Stack, type StackProps, TimeZone, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  type CfnStage,
  HttpApi,
  HttpMethod,
  HttpRoute,
  HttpRouteKey,
  HttpStage,
  LogGroupLogDestination,
  PayloadFormatVersion,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { PortalBackup } from '#infra/constructs/backup';
import { EpdStore } from '#infra/constructs/epdStore';
import { PortalMail } from '#infra/constructs/mail';
import { PortalFunction } from '#infra/constructs/portalFunction';
import { PortalQueue } from '#infra/constructs/portalQueue';
import { PortalSecrets } from '#infra/constructs/portalSecrets';
import { importPortalTable, PortalTable, type PortalTableRef } from '#infra/constructs/portalTable';
import { Site } from '#infra/constructs/site';
import { PortalSms } from '#infra/constructs/sms';
import { portalSettings } from '#infra/settings';
import { type StageConfig, stageOf } from '#infra/stages';
import { ENV } from '#shared/env';
import { FUNCTION_GROUP_NAMES, type FunctionGroupName } from '#shared/functions';
import { METRIC, METRICS_NAMESPACE, OPS_METRIC } from '#shared/metrics';
import { JOB_FAILURES, QUEUE_NAMES, QUEUES, type QueueName } from '#shared/queues';
import { ROUTES, routeKey } from '#shared/routes';
import { eventBridgeCron, SCHEDULE_TIMEZONE, scheduleDefinitions } from '#shared/schedules';
import { MAIN_TABLE } from '#shared/tables';

export interface PortalStackProps extends StackProps {
  /** The CloudFront web ACL (the edge stack's, in us-east-1). */
  webAclArn?: string;
  /** The stage (infra/stages.ts); default: the one context `stage` names. */
  stage?: StageConfig;
}

/**
 * Routes with their own throttle, apart from the stage-wide default: the banks' notifications and
 * the acquirer's callbacks come from a few servers at the pace of real payments, so a flood of
 * forged ones is capped on its own and cannot use up the residents' share of the stage, nor the
 * residents' traffic the banks'. Per route key, requests per second (steady, burst).
 */
export const ROUTE_THROTTLES = [
  { pathPrefix: '/api/banks/', rateLimit: 20, burstLimit: 40 },
  { pathPrefix: '/api/webhooks/', rateLimit: 20, burstLimit: 40 },
] as const;

/** The stage-wide default throttle. */
export const STAGE_THROTTLE = { rateLimit: 200, burstLimit: 400 } as const;

/**
 * The resident portal in AWS. Everything it deploys is read from shared/: tables, function groups,
 * routes, schedules, queues and variable names, the same data the local runtime runs from.
 */
export class PortalStack extends Stack {
  readonly table: PortalTableRef;
  readonly backup: PortalBackup;
  readonly functions: Record<FunctionGroupName, PortalFunction>;
  readonly api: HttpApi;
  readonly site: Site;
  readonly secrets: PortalSecrets;
  readonly scheduleDeadLetters: Queue;
  readonly queues: Record<QueueName, PortalQueue>;
  /** The scheduled jobs' on-failure destination (shared/queues.ts JOB_FAILURES). */
  readonly jobFailures: Queue;
  readonly dashboard: Dashboard;
  readonly mail: PortalMail;
  readonly sms: PortalSms;
  /** The printed ЕПД files, read and created by the functions that render (shared/epd/files.ts). */
  readonly epdStore: EpdStore;
  readonly stage: StageConfig;
  /** Subscribed to the alarm topics (this stack's and the edge alarms stack's). */
  readonly alarmEmail: string | undefined;

  constructor(scope: Construct, id: string, props?: PortalStackProps) {
    super(scope, id, props);
    const settings = portalSettings(this);
    this.stage = props?.stage ?? stageOf(this);
    this.alarmEmail = settings.alarmEmail;

    // After a restore, `-c tableName=<restored>` binds everything to that table (docs/runbooks/restore.md).
    this.table = settings.tableName
      ? importPortalTable(this, MAIN_TABLE, settings.tableName)
      : new PortalTable(this, MAIN_TABLE);

    // One secret per purpose (shared/secrets.ts), created empty and seeded once: see PortalSecrets.
    this.secrets = new PortalSecrets(this, 'Secrets', { legacySecretArn: settings.legacyKeysSecretArn });

    this.api = new HttpApi(this, 'Api', {
      description: 'Resident portal API (served to browsers through CloudFront under /api)',
      createDefaultStage: false,
    });
    const accessLogs = new LogGroup(this, 'ApiAccessLogs', {
      retention: this.stage.logRetention,
      removalPolicy: this.stage.logRemovalPolicy,
    });
    const stage = new HttpStage(this, 'ApiStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      // Stage-wide defaults; the busiest evening of the reading window is ~75% of 100k households
      // over six days, far below these, while a runaway client is cut off.
      throttle: STAGE_THROTTLE,
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        // HTTP APIs know routeKey, not resourcePath, so the REST API's standard JSON format fails.
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            requestTime: '$context.requestTime',
            routeKey: '$context.routeKey',
            status: '$context.status',
            protocol: '$context.protocol',
            responseLength: '$context.responseLength',
            latency: '$context.responseLatency',
            integrationLatency: '$context.integrationLatency',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'Authorisation is the application’s: resident routes check the session cookie in the handler, ' +
        'bank webhooks check the bank’s HMAC signature, and health/captcha/auth routes are public by design.',
    });

    this.site = new Site(this, 'Site', {
      apiDomain: `${this.api.apiId}.execute-api.${this.region}.${this.urlSuffix}`,
      contentDir: settings.siteDir,
      originVerifyValue: this.secrets.originHeaderValue,
      ...(props?.webAclArn ? { webAclArn: props.webAclArn } : {}),
      ...(settings.domain ? { domain: settings.domain } : {}),
    });

    const shared = {
      [ENV.publicUrl]: this.site.url,
      [ENV.supportEmail]: settings.supportEmail,
      [ENV.windowOpenDay]: String(settings.windowOpenDay),
      [ENV.windowCloseDay]: String(settings.windowCloseDay),
      [ENV.logLevel]: settings.logLevel,
      [ENV.sberGatewayUrl]: settings.sberGatewayUrl,
    };
    // Every group with routes, and `system`, which answers API Gateway's $default route.
    const servingHttp = new Set<FunctionGroupName>([...ROUTES.map((r) => r.group), 'system']);
    const functions: Partial<Record<FunctionGroupName, PortalFunction>> = {};
    for (const group of FUNCTION_GROUP_NAMES) {
      const fn = new PortalFunction(this, `${pascal(group)}Function`, {
        group,
        environment: shared,
        logRetention: this.stage.logRetention,
        logRemovalPolicy: this.stage.logRemovalPolicy,
      });
      fn.bindTable({ table: this.table });
      fn.bindSecrets({ secrets: this.secrets.secrets, servesHttp: servingHttp.has(group) });
      fn.bindMail({ from: settings.mailFrom });
      functions[group] = fn;
    }
    this.functions = functions as Record<FunctionGroupName, PortalFunction>;
    this.epdStore = new EpdStore(this, 'EpdStore', {
      functions: FUNCTION_GROUP_NAMES.filter((g) => this.functions[g].definition.usesChromium).map(
        (g) => this.functions[g],
      ),
    });

    // Work queues (the fan-outs of billing, ЕПД issuance and reading reminders): producers, consumer
    // and dead letters from shared/queues.ts.
    const queues: Partial<Record<QueueName, PortalQueue>> = {};
    for (const name of QUEUE_NAMES) {
      queues[name] = new PortalQueue(this, QUEUES[name].id, { definition: QUEUES[name], functions: this.functions });
    }
    this.queues = queues as Record<QueueName, PortalQueue>;

    // SES: identity, DKIM, MAIL FROM, a configuration set per stream, bounces to the mailEvents queue.
    this.mail = new PortalMail(this, 'Mail', {
      domain: settings.mailDomain,
      functions: Object.values(this.functions),
      eventsQueue: this.queues.mailEvents.queue,
    });
    // SMS codes: the stage's sender id, sendable only by the groups that text (shared/functions.ts).
    this.sms = new PortalSms(this, 'Sms', { sms: this.stage.sms, functions: Object.values(this.functions) });

    const integrations = new Map<FunctionGroupName, HttpLambdaIntegration>();
    const integrationOf = (group: FunctionGroupName) => {
      let integration = integrations.get(group);
      if (!integration) {
        integration = new HttpLambdaIntegration(`${pascal(group)}Integration`, this.functions[group].live, {
          payloadFormatVersion: PayloadFormatVersion.VERSION_2_0,
        });
        integrations.set(group, integration);
      }
      return integration;
    };
    const routeSettings: Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }> = {};
    for (const route of ROUTES) {
      const added = this.api.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration: integrationOf(route.group),
      });
      const throttle = ROUTE_THROTTLES.find((t) => route.path.startsWith(t.pathPrefix));
      if (throttle) {
        routeSettings[routeKey(route)] = {
          ThrottlingRateLimit: throttle.rateLimit,
          ThrottlingBurstLimit: throttle.burstLimit,
        };
        // A stage's route settings name routes that must exist first.
        stage.node.addDependency(...added);
      }
    }
    (stage.node.defaultChild as CfnStage).routeSettings = routeSettings;
    // Anything else under /api reaches the system function, which answers with the contract's
    // 404/405 body in Russian (as the local gateway does), not API Gateway's bare {"message"}.
    new HttpRoute(this.api, 'DefaultRoute', {
      httpApi: this.api,
      routeKey: HttpRouteKey.DEFAULT,
      integration: integrationOf('system'),
    });

    this.scheduleDeadLetters = new Queue(this, 'ScheduleDeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.scheduleDeadLetters).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is the dead-letter queue of the schedules; its messages are inspected, not redriven.',
    });
    const schedulerRole = new Role(this, 'SchedulerRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
      description: 'Invokes the scheduled jobs of the resident portal',
    });
    const settingsForSchedules = { windowOpenDay: settings.windowOpenDay, windowCloseDay: settings.windowCloseDay };
    for (const job of scheduleDefinitions(settingsForSchedules)) {
      const fn = this.functions[job.group];
      new Schedule(this, `Schedule-${job.job}`, {
        description: job.description,
        schedule: ScheduleExpression.expression(eventBridgeCron(job.cron), TimeZone.of(SCHEDULE_TIMEZONE)),
        // The alias, not $LATEST: a job runs the version CodeDeploy has let through.
        target: new LambdaInvoke(fn.live, {
          role: schedulerRole,
          input: ScheduleTargetInput.fromObject({ job: job.job }),
          // A window that fails to open must be retried soon, and a retry hours late is wrong.
          retryAttempts: 5,
          maxEventAge: Duration.hours(2),
          deadLetterQueue: this.scheduleDeadLetters,
        }),
      });
    }

    // A scheduled job is an asynchronous invocation: Lambda retries one that threw, then sends the
    // event here instead of dropping it (the schedule's dead-letter queue covers delivery only).
    this.jobFailures = new Queue(this, JOB_FAILURES.id, {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.jobFailures).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is the on-failure destination of the scheduled jobs: inspected and re-run by an operator.',
    });
    const scheduled = new Set(scheduleDefinitions(settingsForSchedules).map((job) => job.group));
    for (const group of scheduled) {
      this.functions[group].live.configureAsyncInvoke({
        retryAttempts: JOB_FAILURES.retryAttempts,
        maxEventAge: Duration.hours(JOB_FAILURES.maxEventAgeHours),
        onFailure: new SqsDestination(this.jobFailures),
      });
    }

    // Each mail-sending function's share of the account's SES send rate, per instance: a bulk
    // sender's share is divided among its reserved instances, so all of them together stay under it.
    for (const fn of Object.values(this.functions)) {
      if (!fn.definition.sendsMail) continue;
      const share = fn.definition.mailRateShare ?? 0.1;
      const instances = fn.definition.reservedConcurrency ?? 1;
      fn.addEnvironment(ENV.sesSendRate, String(Math.max(0.1, (settings.sesSendRate * share) / instances).toFixed(2)));
    }

    this.dashboard = this.alarms(settings.alarmEmail);
    this.backup = new PortalBackup(this, 'Backup', {
      table: this.table,
      lockMode: settings.backupLock,
      alarmTopic: this.node.findChild('AlarmTopic') as Topic,
    });

    new CfnOutput(this, 'SiteUrl', { value: this.site.url, description: 'The resident portal' });
    new CfnOutput(this, 'ApiUrl', { value: this.api.apiEndpoint, description: 'The HTTP API, direct' });
    new CfnOutput(this, 'TableName', { value: this.table.tableName, description: 'The main DynamoDB table' });
    for (const [name, queue] of Object.entries(this.queues)) {
      new CfnOutput(this, `${pascal(name)}QueueUrl`, {
        value: queue.queue.queueUrl,
        description: `The ${name} work queue (the operator CLI sends to it with RAC_RUNTIME=aws)`,
      });
    }
  }

  private alarms(email: string | undefined): Dashboard {
    // CloudWatch cannot publish to a topic encrypted with the AWS-managed SNS key, hence our own.
    const key = new Key(this, 'AlarmTopicKey', {
      description: 'Encrypts the resident portal alarm topic',
      enableKeyRotation: true,
    });
    key.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    const topic = new Topic(this, 'AlarmTopic', { masterKey: key, enforceSSL: true });
    if (email) topic.addSubscription(new EmailSubscription(email));
    const action = new SnsAction(topic);
    const five = Duration.minutes(5);

    const alarm = (
      id: string,
      description: string,
      metric: IMetric,
      options: { threshold?: number; evaluationPeriods?: number } = {},
    ): Alarm => {
      const created = new Alarm(this, id, {
        alarmDescription: description,
        metric,
        threshold: options.threshold ?? 1,
        evaluationPeriods: options.evaluationPeriods ?? 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      created.addAlarmAction(action);
      return created;
    };
    /** A Powertools metric of shared/metrics.ts: its `service` dimension is the group's. */
    const ours = (name: string, group: FunctionGroupName) =>
      new Metric({
        namespace: METRICS_NAMESPACE,
        metricName: name,
        dimensionsMap: { service: `rac-${group}` },
        period: five,
        statistic: 'Sum',
      });

    for (const fn of Object.values(this.functions)) {
      const name = pascal(fn.group);
      const errors = alarm(
        `${name}ErrorsAlarm`,
        `The ${fn.group} function threw`,
        fn.metricErrors({ period: five, statistic: 'Sum' }),
      );
      // The HTTP error handler answers an exception with a 500 and the invocation succeeds, so
      // Errors above never fires for a route: this metric, counted by the handler, does.
      const unhandled = alarm(
        `${name}UnhandledErrorsAlarm`,
        `The ${fn.group} function answered a request with a 500 (an unhandled exception)`,
        ours(OPS_METRIC.unhandledError, fn.group),
      );
      // A new version that throws or answers 500 while it takes traffic sends `live` back.
      fn.deployGradually({ config: this.stage.deploymentConfig, alarms: [errors, unhandled] });
      alarm(
        `${name}ThrottlesAlarm`,
        `The ${fn.group} function was throttled (reserved or account concurrency exhausted)`,
        fn.metricThrottles({ period: five, statistic: 'Sum' }),
      );
      // p95 over 80% of the timeout, three periods in a row: the group is about to time out.
      alarm(
        `${name}LatencyAlarm`,
        `The ${fn.group} function's p95 duration is near its timeout`,
        fn.metricDuration({ period: five, statistic: 'p95' }),
        { threshold: fn.definition.timeoutSeconds * 1000 * 0.8, evaluationPeriods: 3 },
      );
    }
    alarm('Api5xxAlarm', 'The API answered 5xx', this.api.metricServerError({ period: five, statistic: 'Sum' }));
    for (const [name, queue] of Object.entries(this.queues)) {
      alarm(
        `${pascal(name)}DeadLettersAlarm`,
        `A ${name} queue message failed ${queue.definition.maxReceiveCount} times and was dead-lettered`,
        queue.deadLetters.metricApproximateNumberOfMessagesVisible({ period: five, statistic: 'Maximum' }),
      );
      alarm(
        `${pascal(name)}QueueAgeAlarm`,
        `The oldest ${name} queue message has waited over 30 minutes (the consumer is stuck or throttled)`,
        queue.queue.metricApproximateAgeOfOldestMessage({ period: five, statistic: 'Maximum' }),
        { threshold: 30 * 60 },
      );
    }
    for (const kind of ['ReadThrottleEvents', 'WriteThrottleEvents']) {
      alarm(
        `Table${kind}Alarm`,
        `DynamoDB throttled the main table (${kind})`,
        this.table.metric(kind, { period: five, statistic: 'Sum' }),
      );
    }
    // The counters the payments code writes: a forged callback or bank request, an order that is
    // not ours, money held for review.
    for (const name of Object.values(METRIC)) {
      alarm(`${name}Alarm`, `Payments: ${name}`, ours(name, 'payments'));
    }
    alarm(
      'ScheduleDeadLettersAlarm',
      'A scheduled job could not be delivered (window open/close, billing, ЕПД)',
      this.scheduleDeadLetters.metricApproximateNumberOfMessagesVisible({ period: five, statistic: 'Maximum' }),
    );
    alarm(
      'JobFailuresAlarm',
      'A scheduled job threw on every attempt; its event is in the JobFailures queue',
      this.jobFailures.metricApproximateNumberOfMessagesVisible({ period: five, statistic: 'Maximum' }),
    );
    // The deadline checks (billing.check, epd.check) count a missing run.
    alarm(
      'BillingRunMissingAlarm',
      'No billing run of the closed month had completed by the deadline',
      ours(OPS_METRIC.billingRunMissing, 'billing'),
    );
    alarm(
      'EpdRunMissingAlarm',
      'No ЕПД issuance of the closed month had completed by the deadline',
      ours(OPS_METRIC.epdRunMissing, 'epdIssue'),
    );
    // SES's account-level reputation: at 5% bounces or 0.1% complaints SES reviews the account and
    // may pause sending (its own thresholds are 10% and 0.5%).
    const ses = (metricName: string) =>
      new Metric({ namespace: 'AWS/SES', metricName, period: Duration.hours(1), statistic: 'Maximum' });
    alarm('SesBounceRateAlarm', 'SES bounce rate at 5%', ses('Reputation.BounceRate'), { threshold: 0.05 });
    alarm('SesComplaintRateAlarm', 'SES complaint rate at 0.1%', ses('Reputation.ComplaintRate'), {
      threshold: 0.001,
    });

    const dashboard = new Dashboard(this, 'Dashboard', { defaultInterval: Duration.days(7) });
    const groups = Object.values(this.functions);
    dashboard.addWidgets(
      new GraphWidget({
        title: 'Unhandled errors (500) per group',
        left: groups.map((fn) => ours(OPS_METRIC.unhandledError, fn.group)),
        width: 12,
      }),
      new GraphWidget({
        title: 'p95 duration per group',
        left: groups.map((fn) => fn.metricDuration({ period: five, statistic: 'p95' })),
        width: 12,
      }),
      new GraphWidget({
        title: 'Throttles per group',
        left: groups.map((fn) => fn.metricThrottles({ period: five, statistic: 'Sum' })),
        width: 12,
      }),
      new GraphWidget({
        title: 'API 5xx and 4xx',
        left: [
          this.api.metricServerError({ period: five, statistic: 'Sum' }),
          this.api.metricClientError({ period: five, statistic: 'Sum' }),
        ],
        width: 12,
      }),
      new GraphWidget({
        title: 'Queues: oldest message (s) and dead letters',
        left: Object.values(this.queues).map((q) =>
          q.queue.metricApproximateAgeOfOldestMessage({ period: five, statistic: 'Maximum' }),
        ),
        right: Object.values(this.queues).map((q) =>
          q.deadLetters.metricApproximateNumberOfMessagesVisible({ period: five, statistic: 'Maximum' }),
        ),
        width: 12,
      }),
      new GraphWidget({
        title: 'Runs completed / missing',
        left: [
          ours(OPS_METRIC.billingRunCompleted, 'billing'),
          ours(OPS_METRIC.epdRunCompleted, 'epdIssue'),
          ours(OPS_METRIC.billingRunMissing, 'billing'),
          ours(OPS_METRIC.epdRunMissing, 'epdIssue'),
        ],
        width: 12,
      }),
      new GraphWidget({
        title: 'DynamoDB throttles',
        left: ['ReadThrottleEvents', 'WriteThrottleEvents'].map((m) =>
          this.table.metric(m, { period: five, statistic: 'Sum' }),
        ),
        width: 12,
      }),
      new GraphWidget({
        title: 'SES reputation',
        left: [ses('Reputation.BounceRate'), ses('Reputation.ComplaintRate')],
        width: 12,
      }),
    );
    return dashboard;
  }
}

function pascal(name: string): string {
  return name.replace(/(^|[^a-zA-Z0-9])([a-zA-Z0-9])/g, (_, _sep: string, c: string) => c.toUpperCase());
}
