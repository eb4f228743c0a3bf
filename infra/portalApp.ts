import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { PortalStack } from '#infra/stack';

export const STACK_NAME = 'RacPortal';

/**
 * The app with its checks, shared by `cdk synth` (infra/app.ts) and the infra tests, so both see
 * the same stack and the same cdk-nag verdict.
 */
export function createPortalApp(props?: AppProps): { app: App; stack: PortalStack } {
  const app = new App(props);
  const stack = new PortalStack(app, STACK_NAME, {
    description: 'Resident portal of the utility billing centre',
  });
  // cdk-nag v3 is a policy-validation plugin, not an Aspect: it walks the construct tree after
  // synthesis and reports to CDK's validation report (cdk.out/validation-report.json). Its report
  // fails on any finding, warning or error, so an unacknowledged finding fails `cdk synth`. Findings
  // are acknowledged next to the resource that raises them (Validations.of(construct).acknowledge)
  // with their reason, which is also copied into the template's Metadata (cdk_nag) for audit.
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app, { verbose: true, writeSuppressionsToCloudFormation: true }),
  );
  return { app, stack };
}
