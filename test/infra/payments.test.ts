import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '#infra/paths';
import { createPortalApp } from '#infra/portalApp';
import { SBER_PRODUCTION_GATEWAY } from '#infra/settings';
import type { PortalStack } from '#infra/stack';
import { ENV } from '#shared/env';
import { METRIC, METRICS_NAMESPACE } from '#shared/metrics';

/** What the payments feature needs from the stack: its routes, schedule, gateway URL, keys and alarms. */
const cdkContext = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')).context;
const outdir = mkdtempSync(join(tmpdir(), 'rac-infra-payments-'));
let stack: PortalStack;
let template: Template;

beforeAll(() => {
  ({ stack } = createPortalApp({
    outdir,
    context: { ...cdkContext, sberGatewayUrl: 'https://3dsec.sberbank.ru/payment/rest' },
  }));
  template = Template.fromStack(stack);
});
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('the payments feature in AWS', () => {
  it('routes the card, webhook and bank paths to the payments function', () => {
    for (const routeKey of [
      'POST /api/payments',
      'GET /api/payments/{id}',
      'GET /api/payments/{id}/receipt',
      'GET /api/webhooks/sber',
      'POST /api/webhooks/sber',
      'POST /api/banks/{bank}/payments',
    ]) {
      template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: routeKey });
    }
  });

  it('tells the function where the acquirer is (context, else production) and lets it read the keys', () => {
    const fn = stack.functions.payments.node.defaultChild as CfnElement;
    const props = template.toJSON().Resources[stack.getLogicalId(fn)].Properties;
    expect(props.Environment.Variables[ENV.sberGatewayUrl]).toBe('https://3dsec.sberbank.ru/payment/rest');
    expect(SBER_PRODUCTION_GATEWAY).toMatch(/^https:\/\/securepayments\.sberbank\.ru\//);
    // The acquirer's and the banks' keys: their own secrets, seeded with empty fields for the operator.
    const seeded = (purpose: 'acquirer' | 'banks') =>
      template.toJSON().Resources[stack.getLogicalId(stack.secrets.seeds[purpose].node.defaultChild as CfnElement)]
        .Properties.Empty;
    expect(seeded('acquirer')).toEqual(
      expect.arrayContaining([ENV.sberCallbackSecret, ENV.sberUserName, ENV.sberPassword, ENV.sberToken]),
    );
    expect(seeded('banks')).toEqual([ENV.bankSecrets]);
    expect(props.Environment.Variables[ENV.acquirerSecretArn]).toEqual({
      Ref: stack.getLogicalId(stack.secrets.resources.acquirer),
    });
    expect(props.Environment.Variables[ENV.bankSecretsArn]).toEqual({
      Ref: stack.getLogicalId(stack.secrets.resources.banks),
    });
  });

  it('reconciles every ten minutes, Moscow time', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0/10 * * * ? *)',
      ScheduleExpressionTimezone: 'Europe/Moscow',
      Target: Match.objectLike({ Input: JSON.stringify({ job: 'payments.reconcile' }) }),
    });
  });

  it.each(Object.values(METRIC))('alarms on the %s metric', (name) => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: METRICS_NAMESPACE,
      MetricName: name,
      Threshold: 1,
      AlarmActions: Match.anyValue(),
    });
  });
});
