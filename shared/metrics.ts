import type { Metrics } from '@aws-lambda-powertools/metrics';
import { config } from '#shared/config';
import { logger } from '#shared/logger';

/**
 * Alarm metrics through Powertools Metrics (CloudWatch Embedded Metric Format: a JSON line on
 * stdout that CloudWatch Logs turns into a metric, no API call). Each metric carries the default
 * `service` dimension, `rac-<group>`, so the stack alarms per function group. Locally the same
 * count goes through the logger (silent in tests), and tests read the counters.
 */
export const METRICS_NAMESPACE = 'RacPortal';

/** Counters the payments code writes: each alarms at the first occurrence. */
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

/** Operational metrics: each has its own alarm in the stack (infra/constructs/monitoring.ts). */
export const OPS_METRIC = {
  /**
   * An exception the HTTP error handler answered with a 500: Lambda's own Errors metric never
   * sees these, since the invocation itself succeeds.
   */
  unhandledError: 'UnhandledErrors',
  /** A billing run whose every shard and batch is done. */
  billingRunCompleted: 'BillingRunCompleted',
  /** An ЕПД issuance run whose every shard and batch is done. */
  epdRunCompleted: 'EpdRunCompleted',
  /** The deadline check found no completed billing run of the closed month. */
  billingRunMissing: 'BillingRunMissing',
  /** The deadline check found no completed ЕПД issuance of the closed month. */
  epdRunMissing: 'EpdRunMissing',
} as const;

export type MetricName = (typeof METRIC)[keyof typeof METRIC] | (typeof OPS_METRIC)[keyof typeof OPS_METRIC];

let emitter: Promise<{ metrics: Metrics; count: 'Count' }> | undefined;

/**
 * Powertools Metrics is loaded with the first metric, not at cold start: most invocations never
 * count one (the counters mark forgeries, unhandled errors and finished runs).
 */
function metrics(): Promise<{ metrics: Metrics; count: 'Count' }> {
  emitter ??= import('@aws-lambda-powertools/metrics').then(({ Metrics, MetricUnit }) => ({
    metrics: new Metrics({
      namespace: METRICS_NAMESPACE,
      serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'rac-portal',
    }),
    count: MetricUnit.Count,
  }));
  return emitter;
}

const counts = new Map<MetricName, number>();

/**
 * Counts and publishes at once: a metric is written even when the invocation then fails or times
 * out, which is when the alarms matter most. The module loads in a microtask (it is in the bundle),
 * so the line is out before the invocation's answer is.
 */
export function countMetric(name: MetricName, value = 1): void {
  counts.set(name, (counts.get(name) ?? 0) + value);
  if (config().runtime === 'aws') {
    void metrics()
      .then(({ metrics: m, count }) => {
        m.addMetric(name, count, value);
        m.publishStoredMetrics();
      })
      .catch((error: Error) => logger.error('Metric not published', { metric: name, error }));
  } else {
    logger.warn('Metric', { metric: name, value });
  }
}

/** What this process has counted (tests). */
export function metricCount(name: MetricName): number {
  return counts.get(name) ?? 0;
}
