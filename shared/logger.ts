import { Logger } from '@aws-lambda-powertools/logger';

/**
 * One structured (JSON) logger per process. Events are never logged whole: they may carry
 * passport data, passwords or tokens (152-ФЗ); log identifiers and outcomes only.
 */
export const logger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'rac-portal',
  logLevel: (process.env.POWERTOOLS_LOG_LEVEL as 'INFO' | undefined) ?? 'INFO',
});
