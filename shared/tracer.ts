import type { Tracer } from '@aws-lambda-powertools/tracer';
import { logger } from '#shared/logger';

/**
 * X-Ray. Every function runs with Lambda active tracing (the stack turns it on): Lambda itself
 * records each invocation's segment with its Initialization, Invocation and Overhead parts, no SDK
 * needed. Subsegments for each AWS SDK call (DynamoDB, SES, SQS, S3) come from Powertools Tracer,
 * which wraps the X-Ray SDK (aws-xray-sdk-core); loading it costs about as much cold-start time as
 * the rest of an API function's own code (issue 13). So it is loaded only where tracing is on —
 * in Lambda, and not switched off by `POWERTOOLS_TRACE_ENABLED=false`, the rule Powertools itself
 * applies — and only at the first invocation. The stack switches it off in the API functions and
 * keeps it in the queue and job workers, whose batches run for minutes and whose slow calls a
 * trace explains (`traceAwsCalls` in shared/functions.ts). Locally and in tests it never loads.
 */
function tracingWanted(): boolean {
  const env = process.env;
  if ((env.POWERTOOLS_TRACE_ENABLED ?? '').toLowerCase() === 'false') return false;
  // Powertools traces only inside Lambda, and never under SAM's or Amplify's local emulation.
  const executionEnv = env.AWS_EXECUTION_ENV ?? '';
  return executionEnv !== '' && executionEnv !== 'AWS_Lambda_amplify-mock' && !env.AWS_SAM_LOCAL;
}

let powertools: Tracer | undefined;
let loading: Promise<Tracer | undefined> | undefined;

/**
 * Loads Powertools Tracer at the first invocation (never at module init: a top-level await or an
 * eager import would put the X-Ray SDK into every cold start). AWS SDK clients are created inside
 * invocations (shared/clients/*), after this has settled, so each is wrapped.
 */
function loadTracer(): Promise<Tracer | undefined> {
  loading ??= tracingWanted()
    ? import('@aws-lambda-powertools/tracer').then(
        ({ Tracer }) => {
          powertools = new Tracer({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'rac-portal' });
          return powertools;
        },
        // A group built without the tracer (shared/bundling.ts) but deployed with tracing on: the
        // invocations still run, untraced, and the log says why.
        (error: Error) => {
          logger.warn('Tracing is on but the tracer is not in this bundle', { error: error.message });
          return undefined;
        },
      )
    : Promise.resolve(undefined);
  return loading;
}

/** One per process; where tracing is off each call is a no-op and the X-Ray SDK is never loaded. */
export const tracer = {
  /** Records each call of an AWS SDK client as a subsegment (where clients are created: shared/clients/*). */
  captureAWSv3Client<T>(client: T): T {
    return powertools ? powertools.captureAWSv3Client(client) : client;
  },
  isTracingEnabled(): boolean {
    return powertools?.isTracingEnabled() ?? false;
  },
};

/** Runs one invocation in its own subsegment, annotated with the cold start and what it serves. */
export async function traced<T>(name: string, annotations: Record<string, string>, work: () => Promise<T>): Promise<T> {
  const active = await loadTracer();
  const parent = active?.isTracingEnabled() ? active.getSegment() : undefined;
  if (!active || !parent) return work();
  const segment = parent.addNewSubsegment(`## ${name}`);
  active.setSegment(segment);
  active.annotateColdStart();
  active.addServiceNameAnnotation();
  for (const [key, value] of Object.entries(annotations)) active.putAnnotation(key, value);
  try {
    return await work();
  } catch (error) {
    active.addErrorAsMetadata(error as Error);
    throw error;
  } finally {
    segment.close();
    active.setSegment(parent);
  }
}
