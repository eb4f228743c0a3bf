import { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * X-Ray through Powertools Tracer, one per process. It traces only inside Lambda with active
 * tracing on (the stack turns it on); locally and in tests every call is a no-op. AWS SDK clients
 * are wrapped where they are created (shared/clients/*), so each DynamoDB, SES and SQS call is a
 * subsegment of the invocation.
 */
export const tracer = new Tracer({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'rac-portal' });

/** Runs one invocation in its own subsegment, annotated with the cold start and what it serves. */
export async function traced<T>(name: string, annotations: Record<string, string>, work: () => Promise<T>): Promise<T> {
  const parent = tracer.getSegment();
  if (!tracer.isTracingEnabled() || !parent) return work();
  const segment = parent.addNewSubsegment(`## ${name}`);
  tracer.setSegment(segment);
  tracer.annotateColdStart();
  tracer.addServiceNameAnnotation();
  for (const [key, value] of Object.entries(annotations)) tracer.putAnnotation(key, value);
  try {
    return await work();
  } catch (error) {
    tracer.addErrorAsMetadata(error as Error);
    throw error;
  } finally {
    segment.close();
    tracer.setSegment(parent);
  }
}
