import { CfnOutput, Stack } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import {
  ConfigurationSet,
  DkimIdentity,
  EasyDkimSigningKeyLength,
  EmailIdentity,
  EmailSendingEvent,
  EventDestination,
  Identity,
  MailFromBehaviorOnMxFailure,
  SuppressionReasons,
} from 'aws-cdk-lib/aws-ses';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { SqsSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { PortalFunction } from '#infra/constructs/portalFunction';
import type { MailStream } from '#shared/clients/mail';
import { ENV } from '#shared/env';

export interface PortalMailProps {
  /** The sending domain (the part of `mailFrom` after @, unless context `mailDomain` names another). */
  domain: string;
  /** Every function group; those that send mail get the configuration set names and may use them. */
  functions: readonly PortalFunction[];
  /** Where bounce and complaint events go (shared/queues.ts `mailEvents`). */
  eventsQueue: IQueue;
}

/** The MAIL FROM subdomain: SPF is checked on it, so it needs its own MX and TXT records. */
export const MAIL_FROM_SUBDOMAIN = 'bounce';

/**
 * SES for the portal: the domain identity with Easy DKIM (2048-bit) and a custom MAIL FROM domain,
 * so SPF and DKIM both align with the From domain and DMARC passes; one configuration set per mail
 * stream (transactional, bulk: shared/clients/mail.ts), so a paused bulk stream never stops
 * password mail; and both sets' bounce and complaint events, through an encrypted SNS topic, on the
 * queue whose consumer suppresses those addresses (shared/mail/suppression.ts).
 *
 * The DNS records are the operator's: the stack outputs them (docs/deploying.md).
 */
export class PortalMail extends Construct {
  readonly identity: EmailIdentity;
  readonly configurationSets: Record<MailStream, ConfigurationSet>;
  readonly events: Topic;

  constructor(scope: Construct, id: string, props: PortalMailProps) {
    super(scope, id);
    const stack = Stack.of(this);

    // SES publishes to an encrypted topic only when the key lets it (the AWS-managed SNS key does not).
    const key = new Key(this, 'EventsKey', {
      description: 'Encrypts the resident portal SES events topic',
      enableKeyRotation: true,
    });
    key.grant(new ServicePrincipal('ses.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    this.events = new Topic(this, 'Events', {
      displayName: 'Resident portal: SES bounces and complaints',
      masterKey: key,
      enforceSSL: true,
    });
    // Raw delivery: the queue message is SES's event itself, not SNS's envelope around it.
    this.events.addSubscription(new SqsSubscription(props.eventsQueue, { rawMessageDelivery: true }));

    const set = (stream: MailStream, description: string) => {
      const configurationSet = new ConfigurationSet(this, `${stream === 'bulk' ? 'Bulk' : 'Transactional'}Set`, {
        reputationMetrics: true,
        // The account-level suppression list as well: SES refuses these before they cost reputation.
        suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
      });
      configurationSet.addEventDestination('BouncesAndComplaints', {
        destination: EventDestination.snsTopic(this.events),
        events: [EmailSendingEvent.BOUNCE, EmailSendingEvent.COMPLAINT],
      });
      new CfnOutput(this, `${stream === 'bulk' ? 'Bulk' : 'Transactional'}ConfigurationSet`, {
        value: configurationSet.configurationSetName,
        description,
      });
      return configurationSet;
    };
    this.configurationSets = {
      transactional: set('transactional', 'SES configuration set of links, notices and receipts'),
      bulk: set('bulk', 'SES configuration set of reminders, ЕПД and news'),
    };

    this.identity = new EmailIdentity(this, 'Identity', {
      identity: Identity.domain(props.domain),
      dkimIdentity: DkimIdentity.easyDkim(EasyDkimSigningKeyLength.RSA_2048_BIT),
      dkimSigning: true,
      mailFromDomain: `${MAIL_FROM_SUBDOMAIN}.${props.domain}`,
      // Until the MAIL FROM records exist SES falls back to amazonses.com rather than refusing mail.
      mailFromBehaviorOnMxFailure: MailFromBehaviorOnMxFailure.USE_DEFAULT_VALUE,
      configurationSet: this.configurationSets.transactional,
    });
    this.identity.dkimRecords.forEach((record, i) => {
      new CfnOutput(this, `DkimRecord${i + 1}`, {
        value: `${record.name} CNAME ${record.value}`,
        description: `DKIM record ${i + 1} of 3 for ${props.domain}`,
      });
    });
    new CfnOutput(this, 'MailFromRecords', {
      value:
        `${MAIL_FROM_SUBDOMAIN}.${props.domain} MX 10 feedback-smtp.${stack.region}.amazonses.com; ` +
        `${MAIL_FROM_SUBDOMAIN}.${props.domain} TXT "v=spf1 include:amazonses.com ~all"`,
      description: 'The custom MAIL FROM domain records',
    });

    // Sending with a configuration set is authorised on the set as well as on the identity.
    const setArns = Object.values(this.configurationSets).map((s) =>
      stack.formatArn({ service: 'ses', resource: 'configuration-set', resourceName: s.configurationSetName }),
    );
    for (const fn of props.functions) {
      if (!fn.definition.sendsMail) continue;
      fn.addEnvironment(ENV.sesConfigSetTransactional, this.configurationSets.transactional.configurationSetName);
      fn.addEnvironment(ENV.sesConfigSetBulk, this.configurationSets.bulk.configurationSetName);
      fn.addToRolePolicy(new PolicyStatement({ actions: ['ses:SendEmail', 'ses:SendRawEmail'], resources: setArns }));
    }
  }
}
