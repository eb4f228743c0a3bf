import { config } from '#shared/config';
import { logger } from '#shared/logger';

/**
 * Alarm metrics as CloudWatch Embedded Metric Format: one JSON line on stdout that CloudWatch Logs
 * turns into a metric, no API call and no extra package. The CDK stack alarms on these names.
 * Locally the same record goes through the logger (silent in tests), and tests read the counters.
 */
export const METRICS_NAMESPACE = 'RacPortal';

export const METRIC = {
  /** A callback to /api/webhooks/sber with a missing or wrong checksum. */
  forgedCallback: 'ForgedAcquirerCallbacks',
  /** A signed callback whose order does not match ours (mdOrder or orderNumber). */
  callbackMismatch: 'AcquirerCallbackMismatches',
  /** A bank request with a missing or wrong signature. */
  forgedBankRequest: 'ForgedBankRequests',
  /** A payment held for an operator: amount mismatch, money after a final status. */
  paymentReview: 'PaymentsToReview',
} as const;

export type MetricName = (typeof METRIC)[keyof typeof METRIC];

const counts = new Map<MetricName, number>();

export function countMetric(name: MetricName, value = 1): void {
  counts.set(name, (counts.get(name) ?? 0) + value);
  const record = {
    _aws: {
      Timestamp: Date.now(),
      CloudWatchMetrics: [{ Namespace: METRICS_NAMESPACE, Dimensions: [[]], Metrics: [{ Name: name, Unit: 'Count' }] }],
    },
    [name]: value,
  };
  if (config().runtime === 'aws') process.stdout.write(`${JSON.stringify(record)}\n`);
  else logger.warn('Metric', { metric: name, value });
}

/** What this process has counted (tests). */
export function metricCount(name: MetricName): number {
  return counts.get(name) ?? 0;
}
