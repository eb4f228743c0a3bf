import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
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
