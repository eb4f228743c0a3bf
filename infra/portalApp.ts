import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { EdgeAlarmsStack, EdgeStack } from '#infra/edgeStack';
import { PortalStack } from '#infra/stack';
import { DEFAULT_REGION, type StageConfig, stackNames, stageEnvironment, stageOf } from '#infra/stages';

export { DEFAULT_REGION };
/** CloudFront's web ACLs (AWS WAF scope CLOUDFRONT) and its metrics exist only in us-east-1. */
export const EDGE_REGION = 'us-east-1';

/**
 * The app with its checks, shared by `cdk synth` (infra/app.ts) and the infra tests, so both see
 * the same stacks and the same cdk-nag verdict, for the stage named by context `stage` (infra/stages.ts):
 * the portal stack in the centre's region; the edge stack in us-east-1 holding CloudFront's web ACL,
 * read by the portal stack through a cross-region reference; and the edge alarms stack in us-east-1,
 * which reads the distribution back (a third stack, because the edge stack cannot both feed the
 * portal stack and depend on it).
 */
export function createPortalApp(props?: AppProps): {
  app: App;
  stage: StageConfig;
  stack: PortalStack;
  edge: EdgeStack;
  edgeAlarms: EdgeAlarmsStack;
} {
  const app = new App(props);
  const stage = stageOf(app);
  const { account, region } = stageEnvironment(app, stage);
  const names = stackNames(stage);
  const common = { crossRegionReferences: true, terminationProtection: stage.terminationProtection };
  const edge = new EdgeStack(app, names.edge, {
    ...common,
    description: `Resident portal (${stage.name}): the CloudFront web ACL (us-east-1)`,
    env: { account, region: EDGE_REGION },
  });
  const stack = new PortalStack(app, names.portal, {
    ...common,
    description: `Resident portal of the utility billing centre (${stage.name})`,
    env: { account, region },
    stage,
    webAclArn: edge.firewall.webAcl.attrArn,
  });
  const edgeAlarms = new EdgeAlarmsStack(app, names.edgeAlarms, {
    ...common,
    description: `Resident portal (${stage.name}): CloudFront alarms (us-east-1, where CloudFront's metrics are)`,
    env: { account, region: EDGE_REGION },
    distributionId: stack.site.distribution.distributionId,
    alarmEmail: stack.alarmEmail,
  });
  // cdk-nag v3 is a policy-validation plugin, not an Aspect: it walks the construct tree after
  // synthesis and reports to CDK's validation report (cdk.out/validation-report.json). Its report
  // fails on any finding, warning or error, so an unacknowledged finding fails `cdk synth`. Findings
  // are acknowledged next to the resource that raises them (Validations.of(construct).acknowledge)
  // with their reason, which is also copied into the template's Metadata (cdk_nag) for audit.
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app, { verbose: true, writeSuppressionsToCloudFormation: true }),
  );
  return { app, stage, stack, edge, edgeAlarms };
}
