import type { Construct } from 'constructs';
import type { BackupLockMode } from '#infra/constructs/backup';
import type { SiteDomain } from '#infra/constructs/site';
import { WEB_DIST } from '#infra/paths';
import { loadConfig } from '#shared/config';
import { ENV } from '#shared/env';

/** Deployment settings, read from CDK context (`cdk deploy -c windowOpenDay=20`). */
export interface PortalSettings {
  windowOpenDay: number;
  windowCloseDay: number;
  mailFrom: string;
  /** The SES identity's domain: context `mailDomain`, else the domain of `mailFrom`. */
  mailDomain: string;
  supportEmail: string;
  logLevel: string;
  /** Subscribed to the alarm topic; required for a production stage (context `stage=prod`). */
  alarmEmail: string | undefined;
  /** The account's SES maximum send rate (mails a second), shared out among the senders. */
  sesSendRate: number;
  /** The built site to deploy; a placeholder page when it holds no index.html. */
  siteDir: string;
  /** The acquirer's REST API (`…/payment/rest`): Sber's production gateway unless told otherwise. */
  sberGatewayUrl: string;
  /** See CONTEXT.legacyKeysSecretArn. */
  legacyKeysSecretArn: string | undefined;
  /** See CONTEXT.tableName: an existing (restored) table to bind instead of creating one. */
  tableName: string | undefined;
  /** See CONTEXT.backupLock. */
  backupLock: BackupLockMode;
  /** See CONTEXT.domainName: the site's one address, with its aliases and certificate. */
  domain: SiteDomain | undefined;
}

/** Context keys, as typed on the command line or in cdk.json. */
export const CONTEXT = {
  windowOpenDay: 'windowOpenDay',
  windowCloseDay: 'windowCloseDay',
  mailFrom: 'mailFrom',
  mailDomain: 'mailDomain',
  supportEmail: 'supportEmail',
  logLevel: 'logLevel',
  alarmEmail: 'alarmEmail',
  /** `prod` requires `alarmEmail`: alarms nobody receives are no alarms. */
  stage: 'stage',
  /** The account's SES send rate (default 14/s, SES's first quota out of the sandbox). */
  sesSendRate: 'sesSendRate',
  siteDir: 'siteDir',
  sberGatewayUrl: 'sberGatewayUrl',
  /** The portal stack's region (else the CLI profile's; offline, eu-central-1). */
  region: 'region',
  /** The single keys secret of a stack deployed before one secret per purpose: seeds the new ones. */
  legacyKeysSecretArn: 'legacyKeysSecretArn',
  /** An existing table (restored from a backup or PITR) the functions use instead of a new one. */
  tableName: 'tableName',
  /** The backup vault lock: `governance` (default) or `compliance` (irreversible after 3 days). */
  backupLock: 'backupLock',
  /**
   * The centre's domain for the site (`lk.rac-oskol.ru`): the canonical address of pages, mails and
   * the bank's return URL; needs `certificateArn`. Absent: the distribution's *.cloudfront.net name.
   */
  domainName: 'domainName',
  /** Other host names (comma-separated, e.g. `www.lk.rac-oskol.ru`), each redirected to `domainName`. */
  domainAliases: 'domainAliases',
  /** The ACM certificate (us-east-1) covering `domainName` and `domainAliases`. */
  certificateArn: 'certificateArn',
} as const;

/** Sber's production gateway; its test gateway is https://3dsec.sberbank.ru/payment/rest. */
export const SBER_PRODUCTION_GATEWAY = 'https://securepayments.sberbank.ru/payment/rest';

function context(scope: Construct, key: string): string | undefined {
  const value: unknown = scope.node.tryGetContext(key);
  return value === undefined || value === null || value === '' ? undefined : String(value);
}

/**
 * Defaults and validation come from the functions' own configuration schema (shared/config.ts),
 * so a value the functions would refuse at cold start fails the synth instead, and a default is
 * never written twice.
 */
export function portalSettings(scope: Construct): PortalSettings {
  const config = loadConfig({
    [ENV.windowOpenDay]: context(scope, CONTEXT.windowOpenDay),
    [ENV.windowCloseDay]: context(scope, CONTEXT.windowCloseDay),
    [ENV.mailFrom]: context(scope, CONTEXT.mailFrom),
    [ENV.supportEmail]: context(scope, CONTEXT.supportEmail),
    [ENV.sesSendRate]: context(scope, CONTEXT.sesSendRate),
    [ENV.sberGatewayUrl]: context(scope, CONTEXT.sberGatewayUrl) ?? SBER_PRODUCTION_GATEWAY,
  });
  return {
    windowOpenDay: config.windowOpenDay,
    windowCloseDay: config.windowCloseDay,
    mailFrom: config.mailFrom,
    mailDomain: context(scope, CONTEXT.mailDomain) ?? config.mailFrom.slice(config.mailFrom.indexOf('@') + 1),
    supportEmail: config.supportEmail,
    logLevel: context(scope, CONTEXT.logLevel) ?? 'INFO',
    alarmEmail: requiredForProduction(scope, CONTEXT.alarmEmail),
    sesSendRate: config.sesSendRate,
    siteDir: context(scope, CONTEXT.siteDir) ?? WEB_DIST,
    sberGatewayUrl: config.sberGatewayUrl ?? SBER_PRODUCTION_GATEWAY,
    legacyKeysSecretArn: context(scope, CONTEXT.legacyKeysSecretArn),
    tableName: context(scope, CONTEXT.tableName),
    backupLock: backupLock(context(scope, CONTEXT.backupLock)),
    domain: siteDomain(scope),
  };
}

function siteDomain(scope: Construct): SiteDomain | undefined {
  const name = context(scope, CONTEXT.domainName)?.toLowerCase();
  const certificateArn = context(scope, CONTEXT.certificateArn);
  const aliases = (context(scope, CONTEXT.domainAliases) ?? '')
    .split(',')
    .map((alias) => alias.trim().toLowerCase())
    .filter((alias) => alias && alias !== name);
  if (!name) {
    if (certificateArn || aliases.length) throw new Error(`Context ${CONTEXT.domainName} is missing`);
    return undefined;
  }
  if (!certificateArn)
    throw new Error(`Context ${CONTEXT.domainName} needs ${CONTEXT.certificateArn} (ACM, us-east-1)`);
  return { name, aliases, certificateArn };
}

function backupLock(value: string | undefined): BackupLockMode {
  if (value === undefined || value === 'governance' || value === 'compliance') return value ?? 'governance';
  throw new Error(`Context ${CONTEXT.backupLock} must be governance or compliance, not ${value}`);
}

function requiredForProduction(scope: Construct, key: string): string | undefined {
  const value = context(scope, key);
  const stage = (scope.node.tryGetContext('stage') as string | undefined) ?? context(scope, CONTEXT.stage);
  if (value === undefined && stage === 'prod') {
    throw new Error(`Context ${key} is required for the production stage (cdk deploy -c ${key}=…)`);
  }
  return value;
}
