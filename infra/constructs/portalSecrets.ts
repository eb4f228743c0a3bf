import { CustomResource, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { CfnSecret, type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { SECRET_PURPOSES, SECRETS, type SecretPurpose } from '#shared/secrets';

/**
 * The seeding handler, inline (no bundle, readable in the template): on Create and on Update it
 * writes the secret's first value — random generated fields, empty others — only when the secret
 * has no value yet, and on Delete it does nothing. It never overwrites: not a value an operator
 * put, not a generated key. It answers CloudFormation itself (the pre-signed S3 URL), so no
 * provider framework is needed. For the origin secret it hands the current value back to the
 * stack (NoEcho) for CloudFront's origin header.
 */
export const SEED_HANDLER = `
const { SecretsManagerClient, DescribeSecretCommand, PutSecretValueCommand, GetSecretValueCommand } = require('@aws-sdk/client-secrets-manager');
const { randomBytes } = require('node:crypto');
const https = require('node:https');
const sm = new SecretsManagerClient({});

exports.seed = async function seed(props, client) {
  const described = await client.send(new DescribeSecretCommand({ SecretId: props.SecretId }));
  const stages = Object.values(described.VersionIdsToStages || {});
  let seeded = false;
  if (!stages.some((labels) => labels.includes('AWSCURRENT'))) {
    // A stack from before one secret per purpose keeps its keys: they are copied from the old one.
    let legacy = {};
    if (props.CopyFrom) {
      const old = await client.send(new GetSecretValueCommand({ SecretId: props.CopyFrom }));
      legacy = JSON.parse(old.SecretString || '{}');
    }
    const value = {};
    for (const field of props.Empty || []) value[field] = legacy[field] || '';
    for (const field of props.Generate || []) value[field] = legacy[field] || randomBytes(48).toString('base64url');
    await client.send(new PutSecretValueCommand({ SecretId: props.SecretId, SecretString: JSON.stringify(value) }));
    seeded = true;
  }
  const data = {};
  if (props.ReturnField) {
    const current = await client.send(new GetSecretValueCommand({ SecretId: props.SecretId }));
    data.Value = JSON.parse(current.SecretString || '{}')[props.ReturnField] || '';
  }
  return { seeded, data };
};

function respond(event, body) {
  const payload = JSON.stringify(body);
  const url = new URL(event.ResponseURL);
  return new Promise((resolve, reject) => {
    const request = https.request(
      { hostname: url.hostname, path: url.pathname + url.search, method: 'PUT',
        headers: { 'content-type': '', 'content-length': Buffer.byteLength(payload) } },
      (response) => { response.resume(); response.on('end', resolve); },
    );
    request.on('error', reject);
    request.end(payload);
  });
}

exports.handler = async function handler(event) {
  const props = event.ResourceProperties || {};
  const body = {
    Status: 'SUCCESS',
    PhysicalResourceId: event.PhysicalResourceId || 'seed:' + props.SecretId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    NoEcho: true,
  };
  try {
    if (event.RequestType !== 'Delete') {
      const { seeded, data } = await exports.seed(props, sm);
      console.log(JSON.stringify({ secret: props.SecretId, seeded }));
      body.Data = data;
    }
  } catch (error) {
    body.Status = 'FAILED';
    body.Reason = String((error && error.name) || 'Error') + ': ' + String((error && error.message) || '').slice(0, 200);
  }
  await respond(event, body);
};
`;

export interface PortalSecretsProps {
  /**
   * The single keys secret of a stack deployed before one secret per purpose (context
   * `legacyKeysSecretArn`): its fields seed the new secrets, so the passport key — and every stored
   * passport hash — carries over.
   */
  legacySecretArn?: string | undefined;
}

/**
 * One Secrets Manager secret per purpose of shared/secrets.ts. The secrets carry no value in the
 * template (neither SecretString nor GenerateSecretString: CloudFormation creates them empty and
 * never writes them), so no template edit can regenerate the passport key — which would orphan
 * every stored passport hash — or blank what an operator typed in. Their first value comes from
 * the create-only seeding above. Retained when the stack goes.
 */
export class PortalSecrets extends Construct {
  readonly secrets: Record<SecretPurpose, ISecret>;
  readonly resources: Record<SecretPurpose, CfnSecret>;
  readonly seeds: Record<SecretPurpose, CustomResource>;
  readonly seeder: LambdaFunction;

  constructor(scope: Construct, id: string, props: PortalSecretsProps = {}) {
    super(scope, id);
    const logGroup = new LogGroup(this, 'SeederLogs', {
      retention: RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const role = new Role(this, 'SeederRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'Writes the first value of the portal secrets, only when they have none',
    });
    logGroup.grantWrite(role);
    this.seeder = new LambdaFunction(this, 'Seeder', {
      description: 'Seeds the portal secrets once (never overwrites a value)',
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      handler: 'index.handler',
      code: Code.fromInline(SEED_HANDLER),
      timeout: Duration.seconds(30),
      role,
      logGroup,
    });

    const secrets: Partial<Record<SecretPurpose, ISecret>> = {};
    const resources: Partial<Record<SecretPurpose, CfnSecret>> = {};
    const seeds: Partial<Record<SecretPurpose, CustomResource>> = {};
    for (const purpose of SECRET_PURPOSES) {
      const definition = SECRETS[purpose];
      const name = purpose.charAt(0).toUpperCase() + purpose.slice(1);
      const resource = new CfnSecret(this, `${name}Secret`, {
        description: `Resident portal: ${definition.description}`,
      });
      resource.applyRemovalPolicy(RemovalPolicy.RETAIN);
      const secret = Secret.fromSecretCompleteArn(this, `${name}SecretRef`, resource.ref);
      Validations.of(resource).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          definition.generated.length > 0
            ? `No automatic rotation: the ${purpose} key changes only by a planned operator procedure (docs/deploying.md).`
            : `No automatic rotation: the ${purpose} credentials are issued by the bank and typed in by an operator.`,
      });
      const generated = definition.generated as readonly string[];
      const seed = new CustomResource(this, `${name}Seed`, {
        serviceToken: this.seeder.functionArn,
        resourceType: 'Custom::RacSecretSeed',
        properties: {
          SecretId: resource.ref,
          Generate: generated,
          Empty: (definition.fields as readonly string[]).filter((f) => !generated.includes(f)),
          ...(purpose === 'origin' ? { ReturnField: definition.fields[0] } : {}),
          ...(props.legacySecretArn && purpose !== 'origin' ? { CopyFrom: props.legacySecretArn } : {}),
        },
      });
      // Only these two actions, only on these secrets: describe, and put a first value.
      role.addToPolicy(
        new PolicyStatement({
          actions: ['secretsmanager:DescribeSecret', 'secretsmanager:PutSecretValue'],
          resources: [resource.ref],
        }),
      );
      if (purpose === 'origin') {
        role.addToPolicy(
          new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [resource.ref] }),
        );
      }
      secrets[purpose] = secret;
      resources[purpose] = resource;
      seeds[purpose] = seed;
    }
    if (props.legacySecretArn) {
      role.addToPolicy(
        new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [props.legacySecretArn] }),
      );
    }
    this.secrets = secrets as Record<SecretPurpose, ISecret>;
    this.resources = resources as Record<SecretPurpose, CfnSecret>;
    this.seeds = seeds as Record<SecretPurpose, CustomResource>;
  }

  /** The value CloudFront puts in the origin header (resolved at deploy time, NoEcho). */
  get originHeaderValue(): string {
    return this.seeds.origin.getAttString('Value');
  }
}
