import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { App, CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EPD_FILE_DAYS } from '#infra/constructs/epdStore';
import { RENDERER_PACKAGES } from '#infra/constructs/rendererLayer';
import { PROJECT_ROOT } from '#infra/paths';
import { createPortalApp } from '#infra/portalApp';
import type { PortalStack } from '#infra/stack';
import { ENV } from '#shared/env';
import { FONT_FILES } from '#shared/epd/fonts';
import { FUNCTION_GROUP_NAMES, FUNCTION_GROUPS, type FunctionGroup, type FunctionGroupName } from '#shared/functions';
import { QUEUES } from '#shared/queues';

/*
 * The ЕПД in the stack: the two rendering functions with Chromium's memory, time, /tmp and
 * architecture, the renderer layer they share (and nothing else gets), Chromium kept out of the
 * bundles, the issuance queue and schedules, least-privilege mail, and the bucket of printed bills
 * only they reach. cdk-nag runs at synth.
 */

type Json = Record<string, any>;
const cdkContext: Json = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')).context;
const outdir = mkdtempSync(join(tmpdir(), 'rac-infra-epd-'));
let app: App;
let stack: PortalStack;
let template: Json;

beforeAll(() => {
  ({ app, stack } = createPortalApp({ outdir, context: cdkContext }));
  // With the cdk-nag plugin registered, any unacknowledged finding throws here.
  app.synth();
  template = Template.fromStack(stack).toJSON();
});

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

const logicalId = (construct: IConstruct) => stack.getLogicalId(construct.node.defaultChild as CfnElement);
const resources = (type: string) =>
  Object.entries(template.Resources as Json).filter(([, r]) => (r as Json).Type === type) as Array<[string, Json]>;
const rendering = FUNCTION_GROUP_NAMES.filter((g) => (FUNCTION_GROUPS[g] as FunctionGroup).usesChromium);
const layerId = () => {
  const layers = resources('AWS::Lambda::LayerVersion').filter(([id]) => id.startsWith('RendererLayer'));
  expect(layers).toHaveLength(1);
  return layers[0]?.[0] as string;
};
/** The staged folder of a function's code or a layer's content, through the stack's asset manifest. */
const assetDir = (id: string) => {
  const props = template.Resources[id].Properties;
  const hash = String((props.Code ?? props.Content).S3Key).replace(/\.zip$/, '');
  const manifest = JSON.parse(readFileSync(join(outdir, `${stack.artifactId}.assets.json`), 'utf8'));
  return join(outdir, manifest.files[hash].source.path);
};

describe('the rendering functions', () => {
  it('are the ЕПД groups', () => {
    expect(rendering.sort()).toEqual(['epd', 'epdIssue']);
  });

  it.each(rendering)('%s has what @sparticuz/chromium asks for, on x86_64, with the renderer layer', (group) => {
    const props = template.Resources[logicalId(stack.functions[group])].Properties;
    expect(props.MemorySize).toBeGreaterThanOrEqual(1600);
    expect(props.Timeout).toBeGreaterThanOrEqual(30);
    expect(props.Architectures).toEqual(['x86_64']);
    expect(props.EphemeralStorage).toEqual({ Size: 1024 });
    expect(props.Layers).toEqual([{ Ref: layerId() }]);
  });

  it('no other function carries the layer', () => {
    const others = FUNCTION_GROUP_NAMES.filter((g) => !rendering.includes(g));
    for (const group of others) {
      expect(template.Resources[logicalId(stack.functions[group])].Properties.Layers).toBeUndefined();
    }
  });

  it.each(rendering)('%s bundles neither Chromium nor puppeteer, which it loads from the layer', (group) => {
    const code = readFileSync(join(assetDir(logicalId(stack.functions[group])), 'index.mjs'), 'utf8');
    expect(code).toContain('@sparticuz/chromium');
    expect(code).not.toContain('swiftshader.tar.br');
    // puppeteer-core is required by name at the first render, never inlined (its CDP calls are not here).
    expect(code).toContain('puppeteer-core');
    expect(code).not.toContain('Target.setAutoAttach');
    // Nor the font: it is read from the layer at the first render (woff files start `wOFF`, base64 `d09GRg`).
    expect(code).not.toContain('d09GRg');
  });
});

describe('the renderer layer', () => {
  it('is for x86_64 and Node 24', () => {
    const props = template.Resources[layerId()].Properties;
    expect(props.CompatibleArchitectures).toEqual(['x86_64']);
    expect(props.CompatibleRuntimes).toEqual(['nodejs24.x']);
  });

  it('holds Chromium with its dependencies and the font, where Lambda puts them on NODE_PATH', () => {
    const modules = join(assetDir(layerId()), 'nodejs', 'node_modules');
    for (const name of RENDERER_PACKAGES) expect(existsSync(join(modules, name, 'package.json'))).toBe(true);
    expect(existsSync(join(modules, '@sparticuz', 'chromium', 'bin', 'chromium.br'))).toBe(true);
    expect(existsSync(join(modules, 'tar-fs', 'package.json'))).toBe(true);
    // puppeteer-core's own dependencies, which the functions no longer bundle.
    expect(existsSync(join(modules, 'chromium-bidi', 'package.json'))).toBe(true);
    expect(existsSync(join(modules, 'ws', 'package.json'))).toBe(true);
    for (const file of FONT_FILES) expect(existsSync(join(modules, file))).toBe(true);
  });
});

describe('issuance', () => {
  it('the epd queue feeds epdIssue, at most 10 at a time, and only epdIssue may send to it', () => {
    const [mapping] = resources('AWS::Lambda::EventSourceMapping').filter(([, r]) =>
      JSON.stringify(r.Properties.FunctionName).includes(logicalId(stack.functions.epdIssue.live)),
    );
    expect(mapping?.[1].Properties).toMatchObject({
      BatchSize: QUEUES.epd.batchSize,
      ScalingConfig: { MaximumConcurrency: QUEUES.epd.maxConcurrency },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    const withUrl = FUNCTION_GROUP_NAMES.filter(
      (g) => ENV.epdQueueUrl in template.Resources[logicalId(stack.functions[g])].Properties.Environment.Variables,
    );
    expect(withUrl).toEqual(['epdIssue']);
  });

  it('runs on the 2nd and the 4th at 03:00 Moscow time (default window days)', () => {
    const schedules = resources('AWS::Scheduler::Schedule')
      .map(([, r]) => r.Properties)
      .filter((p) => p.Target.Arn.Ref === logicalId(stack.functions.epdIssue.live));
    expect(
      schedules.map((p) => [p.ScheduleExpression, p.ScheduleExpressionTimezone, JSON.parse(p.Target.Input).job]),
    ).toEqual(
      expect.arrayContaining([
        ['cron(0 3 2 * ? *)', 'Europe/Moscow', 'epd.issue'],
        ['cron(0 3 4 * ? *)', 'Europe/Moscow', 'epd.issueMissed'],
      ]),
    );
  });

  it('only the issuing function may send mail (raw, with the PDF) and write the table; the download only reads', () => {
    const statements = (group: 'epd' | 'epdIssue') => {
      const role = logicalId(stack.functions[group].executionRole);
      return resources('AWS::IAM::Policy')
        .filter(([, p]) => p.Properties.Roles.some((r: Json) => r.Ref === role))
        .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Json[]);
    };
    const actions = (group: 'epd' | 'epdIssue') => statements(group).flatMap((s) => [s.Action].flat());
    expect(actions('epdIssue')).toContain('ses:SendRawEmail');
    expect(actions('epd').some((a) => a.startsWith('ses:'))).toBe(false);
    expect(actions('epd')).not.toContain('dynamodb:PutItem');
    expect(actions('epdIssue')).toContain('dynamodb:PutItem');
  });
});

describe('the printed bills (each printed once, then served from S3)', () => {
  const bucketId = () => logicalId(stack.epdStore.bucket);
  const roleStatements = (group: FunctionGroupName) => {
    const role = logicalId(stack.functions[group].executionRole);
    return resources('AWS::IAM::Policy')
      .filter(([, p]) => p.Properties.Roles.some((r: Json) => r.Ref === role))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Json[]);
  };
  const touchesBucket = (s: Json) => JSON.stringify(s.Resource).includes(bucketId());

  it('are kept private, encrypted, over TLS only, and expire', () => {
    const props = template.Resources[bucketId()].Properties;
    expect(props.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(props.BucketEncryption.ServerSideEncryptionConfiguration).toEqual([
      { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
    ]);
    expect(props.LifecycleConfiguration.Rules).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ ExpirationInDays: EPD_FILE_DAYS, Status: 'Enabled' }),
        expect.objectContaining({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }),
      ]),
    );
    const [policy] = resources('AWS::S3::BucketPolicy').filter(([, p]) => p.Properties.Bucket.Ref === bucketId());
    const statements = (policy?.[1].Properties.PolicyDocument.Statement ?? []) as Json[];
    const denies = statements.filter((s) => s.Effect === 'Deny');
    expect(denies).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        expect.objectContaining({ Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } }),
      ]),
    );
  });

  it.each(rendering)(
    '%s may get and create bill files and list the bucket (404 for a missing one), nothing more',
    (group) => {
      const mine = roleStatements(group).filter(touchesBucket);
      expect(mine).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            Action: ['s3:GetObject', 's3:PutObject'],
            Effect: 'Allow',
            Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId(), 'Arn'] }, '/*']] },
          }),
          expect.objectContaining({ Action: 's3:ListBucket', Resource: { 'Fn::GetAtt': [bucketId(), 'Arn'] } }),
        ]),
      );
      const actions = mine.flatMap((s) => [s.Action].flat());
      expect(actions.sort()).toEqual(['s3:GetObject', 's3:ListBucket', 's3:PutObject']);
      const env = template.Resources[logicalId(stack.functions[group])].Properties.Environment.Variables;
      expect(env[ENV.epdBucket]).toEqual({ Ref: bucketId() });
    },
  );

  it('no other function may reach the bucket or knows its name', () => {
    for (const group of FUNCTION_GROUP_NAMES.filter((g) => !rendering.includes(g))) {
      expect(roleStatements(group).filter(touchesBucket)).toEqual([]);
      const env = template.Resources[logicalId(stack.functions[group])].Properties.Environment.Variables;
      expect(env[ENV.epdBucket]).toBeUndefined();
    }
  });
});
