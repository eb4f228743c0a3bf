import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAIL_FROM_SUBDOMAIN } from '#infra/constructs/mail';
import { PROJECT_ROOT } from '#infra/paths';
import { createPortalApp } from '#infra/portalApp';
import type { PortalStack } from '#infra/stack';
import { ENV } from '#shared/env';
import { FUNCTION_GROUP_NAMES, FUNCTION_GROUPS } from '#shared/functions';

type Json = Record<string, any>;

const cdkContext: Json = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')).context;
const outdir = mkdtempSync(join(tmpdir(), 'rac-infra-mail-'));
let app: App;
let stack: PortalStack;
let template: Template;

beforeAll(() => {
  ({ app, stack } = createPortalApp({ outdir, context: { ...cdkContext, mailFrom: 'noreply@rac-oskol.ru' } }));
  // cdk-nag runs as a validation plugin: an unacknowledged finding throws here.
  app.synth();
  template = Template.fromStack(stack);
});
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

const ref = (construct: { node: { defaultChild?: unknown } }) => ({
  Ref: stack.getLogicalId(construct.node.defaultChild as never),
});

describe('SES identity', () => {
  it('is the sending domain, with Easy DKIM (2048-bit) and a custom MAIL FROM subdomain', () => {
    template.hasResourceProperties('AWS::SES::EmailIdentity', {
      EmailIdentity: 'rac-oskol.ru',
      DkimAttributes: { SigningEnabled: true },
      DkimSigningAttributes: { NextSigningKeyLength: 'RSA_2048_BIT' },
      MailFromAttributes: { MailFromDomain: `${MAIL_FROM_SUBDOMAIN}.rac-oskol.ru` },
    });
  });
});

describe('configuration sets', () => {
  it('transactional and bulk are separate sets, each keeping reputation metrics and suppressing bad addresses', () => {
    const sets = template.findResources('AWS::SES::ConfigurationSet');
    expect(Object.keys(sets)).toHaveLength(2);
    for (const set of Object.values(sets) as Json[]) {
      expect(set.Properties.ReputationOptions).toEqual({ ReputationMetricsEnabled: true });
      expect(set.Properties.SuppressionOptions.SuppressedReasons.sort()).toEqual(['BOUNCE', 'COMPLAINT']);
    }
  });

  it('each set publishes bounces and complaints to the events topic', () => {
    const topic = ref(stack.mail.events);
    for (const set of Object.values(stack.mail.configurationSets)) {
      template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
        ConfigurationSetName: ref(set),
        EventDestination: {
          Enabled: true,
          MatchingEventTypes: Match.arrayEquals(['bounce', 'complaint']),
          SnsDestination: { TopicARN: topic },
        },
      });
    }
  });

  it('the topic is encrypted and delivers raw to the mail events queue, consumed by readingMail', () => {
    template.hasResourceProperties('AWS::SNS::Topic', {
      DisplayName: Match.stringLikeRegexp('SES'),
      KmsMasterKeyId: Match.anyValue(),
    });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'sqs',
      RawMessageDelivery: true,
      TopicArn: ref(stack.mail.events),
      Endpoint: { 'Fn::GetAtt': [stack.getLogicalId(stack.queues.mailEvents.queue.node.defaultChild as never), 'Arn'] },
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      // The consumer's `live` alias (infra/stages.ts), named `<function name>:live` after the alias's ARN.
      FunctionName: { 'Fn::Join': ['', Match.arrayWith([':live'])] },
      EventSourceArn: {
        'Fn::GetAtt': [stack.getLogicalId(stack.queues.mailEvents.queue.node.defaultChild as never), 'Arn'],
      },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });
});

describe('senders', () => {
  it.each(FUNCTION_GROUP_NAMES)('%s knows both sets and may send with them exactly when it sends mail', (group) => {
    const fn = template.findResources('AWS::Lambda::Function')[
      stack.getLogicalId(stack.functions[group].node.defaultChild as never)
    ] as Json;
    const env = fn.Properties.Environment.Variables as Json;
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p: Json) =>
      p.Properties.Roles.some(
        (r: Json) => r.Ref === stack.getLogicalId(stack.functions[group].executionRole.node.defaultChild as never),
      ),
    ) as Json[];
    const onSets = policies
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Json[])
      .filter((s) => JSON.stringify(s.Resource).includes('configuration-set'));
    if (FUNCTION_GROUPS[group].sendsMail) {
      expect(env[ENV.sesConfigSetTransactional]).toEqual(ref(stack.mail.configurationSets.transactional));
      expect(env[ENV.sesConfigSetBulk]).toEqual(ref(stack.mail.configurationSets.bulk));
      expect(onSets).toHaveLength(1);
      expect(onSets[0]?.Action).toEqual(['ses:SendEmail', 'ses:SendRawEmail']);
    } else {
      expect(env[ENV.sesConfigSetTransactional]).toBeUndefined();
      expect(onSets).toHaveLength(0);
    }
  });
});
