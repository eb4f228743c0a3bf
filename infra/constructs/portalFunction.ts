import { join } from 'node:path';
import { Duration, RemovalPolicy, Size, Stack, Validations } from 'aws-cdk-lib';
import type { IAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import { type ILambdaDeploymentConfig, LambdaDeploymentGroup } from 'aws-cdk-lib/aws-codedeploy';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Alias, Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { Charset, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { PortalTableRef } from '#infra/constructs/portalTable';
import { RendererLayer } from '#infra/constructs/rendererLayer';
import { PROJECT_ROOT } from '#infra/paths';
import { BUNDLING, bundleAliases, externalModulesOf } from '#shared/bundling';
import { ENV } from '#shared/env';
import { FUNCTION_GROUPS, type FunctionGroup, type FunctionGroupName, type TableAccess } from '#shared/functions';
import { METRICS_NAMESPACE } from '#shared/metrics';
import { SECRETS, type SecretPurpose } from '#shared/secrets';

export interface PortalFunctionProps {
  group: FunctionGroupName;
  /** The group's definition; defaults to its entry in shared/functions.ts. */
  definition?: FunctionGroup;
  /** Variables every function shares (public URL, window days, mail addresses, log level). */
  environment?: Record<string, string>;
  logRetention?: RetentionDays;
  logRemovalPolicy?: RemovalPolicy;
}

/** The alias every caller invokes (API Gateway, the schedules, the queues); CodeDeploy moves it. */
export const LIVE_ALIAS = 'live';

/**
 * One Lambda per function group of shared/functions.ts, carrying the defaults every group shares:
 * Node 24 on ARM64, a minified ESM bundle with source maps, its own log group with retention, and
 * an execution role that starts with nothing but writing to that log group. Grants are added
 * through the bind* methods, each of which also sets the variable the code reads.
 */
export class PortalFunction extends NodejsFunction {
  readonly group: FunctionGroupName;
  readonly definition: FunctionGroup;
  readonly executionRole: Role;
  /**
   * The `live` alias on the version of this deploy: callers invoke it, never $LATEST, so a new
   * version takes traffic only as its deployment group lets it (and goes back on an alarm).
   */
  readonly live: Alias;
  deploymentGroup: LambdaDeploymentGroup | undefined;

  constructor(scope: Construct, id: string, props: PortalFunctionProps) {
    const definition: FunctionGroup = props.definition ?? FUNCTION_GROUPS[props.group];
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: props.logRetention ?? RetentionDays.THREE_MONTHS,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
    });
    // Our own role instead of the default one: the default attaches AWSLambdaBasicExecutionRole,
    // which may write to every log group of the account.
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of the ${props.group} function group`,
    });
    logGroup.grantWrite(role);

    super(scope, id, {
      entry: join(PROJECT_ROOT, definition.entry),
      handler: 'handler',
      description: definition.description,
      runtime: Runtime.NODEJS_24_X,
      // @sparticuz/chromium's npm package ships an x64 binary only; everything else runs on Graviton.
      architecture: definition.usesChromium ? Architecture.X86_64 : Architecture.ARM_64,
      memorySize: definition.memoryMb,
      // Chromium unpacks to /tmp (~210 MB with its libraries) and keeps a profile there.
      ...(definition.usesChromium
        ? { layers: [RendererLayer.of(scope)], ephemeralStorageSize: Size.mebibytes(1024) }
        : {}),
      timeout: Duration.seconds(definition.timeoutSeconds),
      // Lambda records every invocation's segment; Powertools Tracer (shared/tracer.ts) adds the
      // AWS SDK calls' subsegments where the group traces them (traceAwsCalls).
      tracing: Tracing.ACTIVE,
      ...(definition.reservedConcurrency === undefined
        ? {}
        : { reservedConcurrentExecutions: definition.reservedConcurrency }),
      role,
      logGroup,
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      environment: {
        [ENV.runtime]: 'aws',
        [ENV.serviceName]: `rac-${props.group}`,
        // Powertools Metrics (shared/metrics.ts): the group is the `service` dimension of every metric.
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        // Powertools Tracer (and the X-Ray SDK) only where the group traces its AWS SDK calls.
        POWERTOOLS_TRACE_ENABLED: String(definition.traceAwsCalls === true),
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      bundling: {
        // The same settings `npm run bench` bundles with (shared/bundling.ts).
        format: OutputFormat.ESM,
        target: BUNDLING.target,
        mainFields: ['module', 'main'],
        banner: BUNDLING.banner,
        minify: BUNDLING.minify,
        sourceMap: BUNDLING.sourcemap,
        charset: BUNDLING.charset === 'utf8' ? Charset.UTF8 : Charset.ASCII,
        // The AWS SDK is bundled, not taken from the runtime: the runtime's copy lags npm and
        // changes under us, while the bundle pins the version the tests ran (lib-dynamodb's
        // marshalling included); minified and tree-shaken it costs little at cold start.
        bundleAwsSDK: true,
        // Chromium is a ~60 MB binary that esbuild cannot bundle; a group that renders PDFs gets
        // it and puppeteer-core from a layer (or `nodeModules`, which needs the registry at synth
        // time). Groups that do not trace AWS calls leave out the tracer (shared/bundling.ts).
        externalModules: externalModulesOf(definition),
        // The SDK's credential chain is the environment provider alone (shared/bundling.ts).
        esbuildArgs: { '--alias': Object.entries(bundleAliases()).map(([pkg, file]) => `${pkg}=${file}`) },
      },
    });
    this.group = props.group;
    this.definition = definition;
    this.executionRole = role;
    // currentVersion hashes the function's final configuration at synth, so variables added later
    // by the bind* methods also make a new version.
    this.live = new Alias(this, 'LiveAlias', { aliasName: LIVE_ALIAS, version: this.currentVersion });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Active tracing grants xray:PutTraceSegments and xray:PutTelemetryRecords, which support no ' +
        'resource-level permissions (the X-Ray service authorization reference lists no resource types).',
    });
  }

  /**
   * Shifts `live` to each new version by CodeDeploy with `config`, and back to the previous version
   * when one of `alarms` fires during the shift.
   */
  deployGradually(options: { config: ILambdaDeploymentConfig; alarms: IAlarm[] }): LambdaDeploymentGroup {
    this.deploymentGroup = new LambdaDeploymentGroup(this, 'Deployment', {
      alias: this.live,
      deploymentConfig: options.config,
      alarms: options.alarms,
      autoRollback: { failedDeployment: true, stoppedDeployment: true, deploymentInAlarm: true },
    });
    Validations.of(this.deploymentGroup).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSCodeDeployRoleForLambdaLimited]',
      reason:
        'CodeDeploy’s own role for Lambda deployments: the managed policy is AWS’s, limited to shifting alias ' +
        'weights and invoking the deployment’s hooks.',
    });
    return this.deploymentGroup;
  }

  /** Grants exactly the table access (default: the group's `tableAccess`) and names the table. */
  bindTable(options: { table: PortalTableRef; access?: TableAccess; envVar?: string }): void {
    options.table.grantAccess(this, options.access ?? this.definition.tableAccess, this.definition.writesKeyPrefixes);
    this.addEnvironment(options.envVar ?? ENV.table, options.table.tableName);
  }

  /**
   * Exactly the secrets the group reads (its `readsSecrets`, plus `origin` when it serves HTTP:
   * shared/http/origin.ts): read access to each, and its ARN in the variable shared/secrets.ts
   * reads. A function learns nothing of the other secrets, not even their ARNs.
   */
  bindSecrets(options: { secrets: Record<SecretPurpose, ISecret>; servesHttp: boolean }): void {
    const purposes = new Set<SecretPurpose>(this.definition.readsSecrets);
    if (options.servesHttp) purposes.add('origin');
    for (const purpose of purposes) {
      options.secrets[purpose].grantRead(this);
      this.addEnvironment(SECRETS[purpose].arnVariable, options.secrets[purpose].secretArn);
    }
  }

  /** Only groups that send mail may, and only from the verified sender identities named here. */
  bindMail(options: { from: string }): void {
    this.addEnvironment(ENV.mailFrom, options.from);
    if (!this.definition.sendsMail) return;
    const domain = options.from.slice(options.from.indexOf('@') + 1);
    const identity = (name: string) =>
      Stack.of(this).formatArn({ service: 'ses', resource: 'identity', resourceName: name });
    this.addToRolePolicy(
      new PolicyStatement({
        actions: ['ses:SendEmail', 'ses:SendRawEmail'],
        resources: [identity(domain), identity(options.from)],
      }),
    );
  }
}
