import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { EdgeStack } from '#infra/edgeStack';
import { CONTEXT } from '#infra/settings';
import { PortalStack } from '#infra/stack';

export const STACK_NAME = 'RacPortal';
export const EDGE_STACK_NAME = 'RacPortalEdge';
/** CloudFront's web ACLs (AWS WAF scope CLOUDFRONT) exist only in us-east-1. */
export const EDGE_REGION = 'us-east-1';
/** The portal's region when neither context `region` nor the CLI's profile names one (offline synth). */
export const DEFAULT_REGION = 'eu-central-1';

/**
 * The app with its checks, shared by `cdk synth` (infra/app.ts) and the infra tests, so both see
 * the same stacks and the same cdk-nag verdict: the portal stack in the centre's region and the
 * edge stack in us-east-1 holding CloudFront's web ACL, joined by a cross-region reference (both
 * need a concrete region for that; the account may stay the CLI's).
 */
export function createPortalApp(props?: AppProps): { app: App; stack: PortalStack; edge: EdgeStack } {
  const app = new App(props);
  const account = process.env.CDK_DEFAULT_ACCOUNT;
  const region = String(app.node.tryGetContext(CONTEXT.region) ?? process.env.CDK_DEFAULT_REGION ?? DEFAULT_REGION);
  const edge = new EdgeStack(app, EDGE_STACK_NAME, {
    description: 'Resident portal: the CloudFront web ACL (us-east-1)',
    env: { account, region: EDGE_REGION },
    crossRegionReferences: true,
  });
  const stack = new PortalStack(app, STACK_NAME, {
    description: 'Resident portal of the utility billing centre',
    env: { account, region },
    crossRegionReferences: true,
    webAclArn: edge.firewall.webAcl.attrArn,
  });
  // cdk-nag v3 is a policy-validation plugin, not an Aspect: it walks the construct tree after
  // synthesis and reports to CDK's validation report (cdk.out/validation-report.json). Its report
  // fails on any finding, warning or error, so an unacknowledged finding fails `cdk synth`. Findings
  // are acknowledged next to the resource that raises them (Validations.of(construct).acknowledge)
  // with their reason, which is also copied into the template's Metadata (cdk_nag) for audit.
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app, { verbose: true, writeSuppressionsToCloudFormation: true }),
  );
  return { app, stack, edge };
}
