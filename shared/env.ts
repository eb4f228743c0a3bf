/**
 * Names of every environment variable the functions, the local runtime and the CDK stack share.
 * Typed once here so infra and code can never disagree on a spelling.
 */
export const ENV = {
  /** `local` for the embedded runtime, `aws` when deployed; test mode is refused outside `local`. */
  runtime: 'RAC_RUNTIME',
  table: 'RAC_TABLE',
  dynamoEndpoint: 'RAC_DYNAMODB_ENDPOINT',
  sesEndpoint: 'RAC_SES_ENDPOINT',
  mailFrom: 'RAC_MAIL_FROM',
  supportEmail: 'RAC_SUPPORT_EMAIL',
  publicUrl: 'RAC_PUBLIC_URL',
  now: 'RAC_NOW',
  testMode: 'RAC_TEST_MODE',
  logLevel: 'POWERTOOLS_LOG_LEVEL',
  serviceName: 'POWERTOOLS_SERVICE_NAME',
  /** Secrets Manager ARN holding the keys (AWS); locally the keys come from the variables below. */
  secretsArn: 'RAC_SECRETS_ARN',
  passportKey: 'RAC_PASSPORT_KEY',
  sessionKey: 'RAC_SESSION_KEY',
  sberCallbackSecret: 'SBER_CALLBACK_SECRET',
  windowOpenDay: 'RAC_WINDOW_OPEN_DAY',
  windowCloseDay: 'RAC_WINDOW_CLOSE_DAY',
  // Local runtime only.
  port: 'PORT',
  dynamoPort: 'DYNAMODB_PORT',
  sesPort: 'SES_PORT',
  dataDir: 'RAC_DATA_DIR',
} as const;

export type EnvName = (typeof ENV)[keyof typeof ENV];
