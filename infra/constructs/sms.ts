import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { CfnConfigurationSet, CfnSenderId } from 'aws-cdk-lib/aws-smsvoice';
import { Construct } from 'constructs';
import type { PortalFunction } from '#infra/constructs/portalFunction';
import type { SmsStageConfig } from '#infra/stages';
import { ENV } from '#shared/env';

export interface PortalSmsProps {
  /** The stage's sender (infra/stages.ts). */
  sms: SmsStageConfig;
  /** Every function group; those that text (`sendsSms`) get the identity and may use it. */
  functions: readonly PortalFunction[];
}

/**
 * SMS codes through AWS End User Messaging SMS: the stage's sender id and a configuration set of
 * the portal's own, named in the texting functions' variables (shared/clients/sms.ts), and a
 * policy that lets those functions send through exactly these two, nothing else of the service.
 */
export class PortalSms extends Construct {
  readonly senderId: CfnSenderId;
  readonly configurationSet: CfnConfigurationSet;

  constructor(scope: Construct, id: string, props: PortalSmsProps) {
    super(scope, id);
    this.senderId = new CfnSenderId(this, 'SenderId', {
      senderId: props.sms.senderId,
      isoCountryCode: props.sms.isoCountryCode,
      // The registration with the carriers takes weeks: a stray stack update must not throw it away.
      deletionProtectionEnabled: true,
    });
    this.configurationSet = new CfnConfigurationSet(this, 'ConfigurationSet', {
      defaultSenderId: props.sms.senderId,
    });
    for (const fn of props.functions) {
      if (!fn.definition.sendsSms) continue;
      fn.addEnvironment(ENV.smsOriginationIdentity, this.senderId.attrArn);
      fn.addEnvironment(ENV.smsConfigurationSet, this.configurationSet.ref);
      fn.addToRolePolicy(
        new PolicyStatement({
          actions: ['sms-voice:SendTextMessage'],
          resources: [this.senderId.attrArn, this.configurationSet.attrArn],
        }),
      );
    }
  }
}
