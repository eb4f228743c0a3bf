import { RemovalPolicy } from 'aws-cdk-lib';
import { type ILambdaDeploymentConfig, LambdaDeploymentConfig } from 'aws-cdk-lib/aws-codedeploy';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

export const STAGE_NAMES = ['dev', 'prod'] as const;
export type StageName = (typeof STAGE_NAMES)[number];

/** Context keys of the stage and its pinned environment (`cdk deploy -c stage=prod -c account=… -c region=…`). */
export const STAGE_CONTEXT = { stage: 'stage', account: 'account', region: 'region' } as const;

/** The portal's region of a dev stage when neither context `region` nor the CLI's profile names one. */
export const DEFAULT_REGION = 'eu-central-1';

/** What differs between the stages; everything else is the same template. */
export interface StageConfig {
  name: StageName;
  /** `cdk destroy` and a stray delete in the console are refused by CloudFormation. */
  terminationProtection: boolean;
  /** How a new function version takes traffic from the `live` alias (CodeDeploy). */
  deploymentConfig: ILambdaDeploymentConfig;
  /** Function and API access logs. */
  logRetention: RetentionDays;
  /** Of log groups when the stack or the function goes away. */
  logRemovalPolicy: RemovalPolicy;
  /** The stack requires context `account` and `region` (no fallback to the CLI's profile). */
  requiresExplicitEnvironment: boolean;
  /** SMS codes through AWS End User Messaging SMS (infra/constructs/sms.ts). */
  sms: SmsStageConfig;
}

/**
 * The sender of SMS codes. Russian carriers deliver only from a sender id registered with them
 * (an alphanumeric name, up to 11 Latin letters and digits); the stack creates the account's sender
 * id resource, and the registration itself is the operator's (docs/deploying.md). Dev and prod
 * use different names, so test traffic never shows as the centre's name on residents' phones.
 */
export interface SmsStageConfig {
  senderId: string;
  /** ISO 3166-1 alpha-2 of the sender id's registration. */
  isoCountryCode: 'RU';
}

export const STAGES: Record<StageName, StageConfig> = {
  dev: {
    name: 'dev',
    terminationProtection: false,
    deploymentConfig: LambdaDeploymentConfig.ALL_AT_ONCE,
    logRetention: RetentionDays.ONE_MONTH,
    logRemovalPolicy: RemovalPolicy.DESTROY,
    requiresExplicitEnvironment: false,
    sms: { senderId: 'RACTEST', isoCountryCode: 'RU' },
  },
  prod: {
    name: 'prod',
    terminationProtection: true,
    // 10% of invocations for five minutes: long enough for the rollback alarms (5-minute periods)
    // to see a bad version on a few hundred requests before residents at large do.
    deploymentConfig: LambdaDeploymentConfig.CANARY_10PERCENT_5MINUTES,
    logRetention: RetentionDays.THREE_MONTHS,
    logRemovalPolicy: RemovalPolicy.RETAIN,
    requiresExplicitEnvironment: true,
    sms: { senderId: 'RACOSKOL', isoCountryCode: 'RU' },
  },
};

function context(scope: Construct, key: string): string | undefined {
  const value: unknown = scope.node.tryGetContext(key);
  return value === undefined || value === null || value === '' ? undefined : String(value);
}

/** The stage named by context `stage` (default `dev`); an unknown name fails the synth. */
export function stageOf(scope: Construct): StageConfig {
  const name = context(scope, STAGE_CONTEXT.stage) ?? 'dev';
  if (!(STAGE_NAMES as readonly string[]).includes(name)) {
    throw new Error(`Unknown stage "${name}": context stage is one of ${STAGE_NAMES.join(', ')}`);
  }
  return STAGES[name as StageName];
}

/** The stacks' names: the stage is part of them, so dev and prod may share an account. */
export function stackNames(stage: StageConfig): { portal: string; edge: string; edgeAlarms: string } {
  return {
    portal: `RacPortal-${stage.name}`,
    edge: `RacPortalEdge-${stage.name}`,
    edgeAlarms: `RacPortalEdgeAlarms-${stage.name}`,
  };
}

/**
 * The account and region the stage deploys to. Production names both on the command line (or in
 * cdk.json), so a deploy with the wrong profile fails instead of creating a second portal elsewhere;
 * dev takes the CLI's, and offline synth a default region.
 */
export function stageEnvironment(
  scope: Construct,
  stage: StageConfig,
): { account: string | undefined; region: string } {
  const account = context(scope, STAGE_CONTEXT.account);
  const region = context(scope, STAGE_CONTEXT.region);
  if (stage.requiresExplicitEnvironment && (account === undefined || region === undefined)) {
    throw new Error(
      `The ${stage.name} stage is pinned to an account and region: cdk deploy -c stage=${stage.name} -c account=… -c region=…`,
    );
  }
  return {
    account: account ?? process.env.CDK_DEFAULT_ACCOUNT,
    region: region ?? process.env.CDK_DEFAULT_REGION ?? DEFAULT_REGION,
  };
}
