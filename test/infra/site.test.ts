import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '#infra/paths';
import { createPortalApp } from '#infra/portalApp';
import { ENV } from '#shared/env';

type Json = Record<string, any>;

const cdkContext: Json = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')).context;
const outdirs: string[] = [];
const CERTIFICATE = 'arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';

/** Synthesized with cdk-nag (an unacknowledged finding throws); bundling skipped: only the site matters. */
function synth(context: Json): Template {
  const outdir = mkdtempSync(join(tmpdir(), 'rac-infra-site-'));
  outdirs.push(outdir);
  const { app, stack } = createPortalApp({
    outdir,
    context: { ...cdkContext, 'aws:cdk:bundling-stacks': [], ...context },
  });
  app.synth();
  return Template.fromStack(stack);
}

let withDomain: Template;
let withoutDomain: Template;

beforeAll(() => {
  withDomain = synth({
    domainName: 'lk.rac-oskol.ru',
    domainAliases: 'www.lk.rac-oskol.ru',
    certificateArn: CERTIFICATE,
  });
  withoutDomain = synth({});
});
afterAll(() => {
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});

const distributionOf = (t: Template): Json =>
  Object.values(t.findResources('AWS::CloudFront::Distribution'))[0]?.Properties.DistributionConfig;
const functionCodeOf = (t: Template): string =>
  Object.values(t.findResources('AWS::CloudFront::Function'))[0]?.Properties.FunctionCode;

describe('the site’s one address', () => {
  it('with the centre’s domain: its names and certificate on the distribution, TLS 1.2 at least', () => {
    const config = distributionOf(withDomain);
    expect(config.Aliases).toEqual(['lk.rac-oskol.ru', 'www.lk.rac-oskol.ru']);
    expect(config.ViewerCertificate).toMatchObject({
      AcmCertificateArn: CERTIFICATE,
      MinimumProtocolVersion: 'TLSv1.2_2021',
      SslSupportMethod: 'sni-only',
    });
  });

  it('redirects other host names to it in the pages’ viewer-request function, and not on the API', () => {
    expect(functionCodeOf(withDomain)).toContain('var CANONICAL_HOST = "lk.rac-oskol.ru"');
    expect(functionCodeOf(withDomain)).toContain('statusCode: 301');
    const config = distributionOf(withDomain);
    expect(config.DefaultCacheBehavior.FunctionAssociations).toHaveLength(1);
    const api = (config.CacheBehaviors as Json[]).find((b) => b.PathPattern === '/api/*');
    expect(api?.FunctionAssociations).toBeUndefined();
  });

  it('gives the functions the domain as the public URL: mails and the bank’s return address use it', () => {
    withDomain.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { [ENV.publicUrl]: 'https://lk.rac-oskol.ru' } },
    });
  });

  it('without a domain: the distribution’s own name, routing only', () => {
    expect(distributionOf(withoutDomain).Aliases).toBeUndefined();
    expect(functionCodeOf(withoutDomain)).not.toContain('statusCode: 301');
  });

  it('refuses a domain without its certificate', () => {
    expect(() => synth({ domainName: 'lk.rac-oskol.ru' })).toThrow(/certificateArn/);
  });
});
