import { Duration, Validations } from 'aws-cdk-lib';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { PortalFunction } from '#infra/constructs/portalFunction';
import type { FunctionGroupName } from '#shared/functions';
import { type QueueDefinition, visibilityTimeoutSeconds } from '#shared/queues';

export interface PortalQueueProps {
  definition: QueueDefinition;
  functions: Record<FunctionGroupName, PortalFunction>;
}

/**
 * A work queue of shared/queues.ts: SQS with server-side encryption and TLS-only access, a
 * dead-letter queue after `maxReceiveCount` deliveries, the queue URL and `sqs:SendMessage` for its
 * producers only, and an event source mapping onto its consumer's Lambda with partial batch
 * responses (a failed message is retried alone, the others are deleted).
 */
export class PortalQueue extends Construct {
  readonly queue: Queue;
  readonly deadLetters: Queue;
  readonly definition: QueueDefinition;

  constructor(scope: Construct, id: string, props: PortalQueueProps) {
    super(scope, id);
    const { definition, functions } = props;
    this.definition = definition;
    const consumer = functions[definition.consumer];

    this.deadLetters = new Queue(this, 'DeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetters).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        `This is the dead-letter queue of ${definition.id}: its messages are inspected and redriven by an operator, ` +
        'and a dead-letter queue of its own would only move them once more.',
    });

    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(visibilityTimeoutSeconds(consumer.definition.timeoutSeconds)),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetters, maxReceiveCount: definition.maxReceiveCount },
    });

    for (const group of definition.producers) {
      const producer = functions[group];
      this.queue.grantSendMessages(producer);
      producer.addEnvironment(definition.urlEnv, this.queue.queueUrl);
    }
    // The alias, not $LATEST: messages reach the version CodeDeploy has let through.
    consumer.live.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: definition.batchSize,
        maxConcurrency: definition.maxConcurrency,
        reportBatchItemFailures: true,
      }),
    );
  }
}
