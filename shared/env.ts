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
  /**
   * SES configuration sets (AWS only): transactional mail (links, receipts, notices) and bulk mail
   * (reminders, ЕПД, news) apart, so a pause of one does not stop the other. Unset locally.
   */
  sesConfigSetTransactional: 'RAC_SES_CONFIG_SET_TRANSACTIONAL',
  sesConfigSetBulk: 'RAC_SES_CONFIG_SET_BULK',
  /**
   * Mails per second this process may send (a token bucket in shared/clients/mail.ts): the stack
   * gives each mail-sending function its share of the account's SES send rate.
   */
  sesSendRate: 'RAC_SES_SEND_RATE',
  supportEmail: 'RAC_SUPPORT_EMAIL',
  /**
   * AWS End User Messaging SMS (AWS only; shared/clients/sms.ts): the origination identity (sender
   * id ARN or name) codes are sent from, and the configuration set; the stack sets both on the
   * groups that text (`sendsSms`) from the stage's config (infra/stages.ts).
   */
  smsOriginationIdentity: 'RAC_SMS_ORIGINATION_IDENTITY',
  smsConfigurationSet: 'RAC_SMS_CONFIGURATION_SET',
  publicUrl: 'RAC_PUBLIC_URL',
  now: 'RAC_NOW',
  testMode: 'RAC_TEST_MODE',
  logLevel: 'POWERTOOLS_LOG_LEVEL',
  serviceName: 'POWERTOOLS_SERVICE_NAME',
  /**
   * Secrets Manager ARNs, one secret per purpose (shared/secrets.ts `SECRETS`), each set only on
   * the functions that read it; locally the keys come from the variables below.
   */
  passportSecretArn: 'RAC_PASSPORT_SECRET_ARN',
  sessionSecretArn: 'RAC_SESSION_SECRET_ARN',
  acquirerSecretArn: 'RAC_ACQUIRER_SECRET_ARN',
  bankSecretsArn: 'RAC_BANK_SECRETS_ARN',
  originSecretArn: 'RAC_ORIGIN_SECRET_ARN',
  /** The value CloudFront sends in `X-Rac-Origin-Verify` to the API (AWS only; shared/http/origin.ts). */
  originSecret: 'RAC_ORIGIN_SECRET',
  passportKey: 'RAC_PASSPORT_KEY',
  sessionKey: 'RAC_SESSION_KEY',
  sberCallbackSecret: 'SBER_CALLBACK_SECRET',
  /** The acquirer's public key (PEM key or certificate) for asymmetric (RSA SHA-512) callback checksums. */
  sberCallbackPublicKey: 'SBER_CALLBACK_PUBLIC_KEY',
  /** The acquirer's API credentials (register.do, getOrderStatusExtended.do): a token, or user and password. */
  sberUserName: 'SBER_USERNAME',
  sberPassword: 'SBER_PASSWORD',
  sberToken: 'SBER_TOKEN',
  /** Base URL of the acquirer's REST API (`…/payment/rest`); locally the sandbox acquirer. */
  sberGatewayUrl: 'RAC_SBER_GATEWAY_URL',
  /** JSON `{"<bank id>": "<HMAC key>"}`: the banks that report payments made by account number. */
  bankSecrets: 'RAC_BANK_SECRETS',
  windowOpenDay: 'RAC_WINDOW_OPEN_DAY',
  windowCloseDay: 'RAC_WINDOW_CLOSE_DAY',
  /** URL of the billing queue (shared/queues.ts); set on its producers in AWS. */
  billingQueueUrl: 'RAC_BILLING_QUEUE_URL',
  /** URL of the reading-mail queue (window reminders fan-out). */
  readingMailQueueUrl: 'RAC_READING_MAIL_QUEUE_URL',
  /** URL of the ЕПД issuance queue (shared/queues.ts); set on its producers in AWS. */
  epdQueueUrl: 'RAC_EPD_QUEUE_URL',
  /** The bucket of printed ЕПД files (infra/constructs/epdStore.ts); set on the ЕПД functions in AWS. */
  epdBucket: 'RAC_EPD_BUCKET',
  /** URL of the SES events queue; set on no function (SNS delivers to it), named for the CLI and tests. */
  mailEventsQueueUrl: 'RAC_MAIL_EVENTS_QUEUE_URL',
  // Local runtime only.
  port: 'PORT',
  dynamoPort: 'DYNAMODB_PORT',
  sesPort: 'SES_PORT',
  dataDir: 'RAC_DATA_DIR',
  /** The sandbox acquirer's callback retry interval (ms); the real gateway's is 30 s. */
  sandboxRetryMs: 'RAC_SANDBOX_CALLBACK_RETRY_MS',
} as const;
