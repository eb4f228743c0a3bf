import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import { EdgeFirewall } from '#infra/constructs/edgeFirewall';

/**
 * What CloudFront needs from us-east-1: its web ACL (AWS WAF scope CLOUDFRONT exists only there).
 * The portal stack, in the centre's region, reads the ACL's ARN through a cross-region reference.
 */
export class EdgeStack extends Stack {
  readonly firewall: EdgeFirewall;

  constructor(scope: Construct, id: string, props: StackProps) {
    super(scope, id, props);
    this.firewall = new EdgeFirewall(this, 'Firewall');
    new CfnOutput(this, 'WebAclArn', { value: this.firewall.webAcl.attrArn, description: 'CloudFront web ACL' });
  }
}

export interface EdgeAlarmsStackProps extends StackProps {
  /** The portal stack's distribution (a cross-region reference). */
  distributionId: string;
  /** Subscribed to this stack's alarm topic. */
  alarmEmail: string | undefined;
}

/** The distribution's 5xx error rate (percent of requests) that raises the alarm. */
export const CLOUDFRONT_5XX_RATE_THRESHOLD = 5;

/**
 * CloudFront publishes its metrics only in us-east-1 (dimension Region=Global), and an alarm sees
 * metrics of its own region only, so the distribution's 5xx alarm and the topic it publishes to
 * live here, apart from the portal stack's topic. Not in EdgeStack: the portal stack reads the web
 * ACL from EdgeStack, and this alarm reads the distribution from the portal stack, which would make
 * the two stacks depend on each other.
 */
export class EdgeAlarmsStack extends Stack {
  readonly topic: Topic;
  readonly cloudFront5xx: Alarm;

  constructor(scope: Construct, id: string, props: EdgeAlarmsStackProps) {
    super(scope, id, props);
    // CloudWatch cannot publish to a topic encrypted with the AWS-managed SNS key, hence our own.
    const key = new Key(this, 'AlarmTopicKey', {
      description: 'Encrypts the resident portal edge alarm topic',
      enableKeyRotation: true,
    });
    key.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    this.topic = new Topic(this, 'AlarmTopic', { masterKey: key, enforceSSL: true });
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));

    // 5xx from the edge include the API's (origin) and CloudFront's own (origin unreachable, WAF or
    // function errors): what residents saw, whichever part failed. Two periods in a row, so one
    // failing request on a quiet night (100% of two requests) does not page anyone.
    this.cloudFront5xx = new Alarm(this, 'CloudFront5xxAlarm', {
      alarmDescription: `The site answered over ${CLOUDFRONT_5XX_RATE_THRESHOLD}% of requests with 5xx (CloudFront)`,
      metric: new Metric({
        namespace: 'AWS/CloudFront',
        metricName: '5xxErrorRate',
        dimensionsMap: { DistributionId: props.distributionId, Region: 'Global' },
        period: Duration.minutes(5),
        statistic: 'Average',
      }),
      threshold: CLOUDFRONT_5XX_RATE_THRESHOLD,
      evaluationPeriods: 2,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.cloudFront5xx.addAlarmAction(new SnsAction(this.topic));
    new CfnOutput(this, 'AlarmTopicArn', { value: this.topic.topicArn, description: 'CloudFront alarms' });
  }
}
