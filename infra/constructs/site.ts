import { Annotations, DefaultStackSynthesizer, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  FunctionEventType,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  PriceClass,
  ResponseHeadersPolicy,
  type ResponseSecurityHeadersBehavior,
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption, type CfnBucket, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { siteRequestFunction } from '#infra/constructs/siteRequest';
import { siteSource } from '#infra/paths';
import { ORIGIN_HEADER } from '#shared/http/origin';
import { SITE_ASSETS_PREFIX, SITE_CACHE_CONTROL, SITE_CONTENT_SECURITY_POLICY } from '#shared/sitePolicy';

export interface SiteProps {
  /** Domain of the HTTP API's default endpoint (`{apiId}.execute-api.{region}.amazonaws.com`). */
  apiDomain: string;
  /** The built frontend (web/dist). */
  contentDir: string;
  /** The secret CloudFront sends to the API in ORIGIN_HEADER (shared/http/origin.ts). */
  originVerifyValue: string;
  /** The web ACL in front of the distribution (AWS WAF, scope CLOUDFRONT, in us-east-1). */
  webAclArn?: string;
  /**
   * The centre's domain (context `domainName`, `domainAliases`, `certificateArn`): the one address
   * of the site; other host names of the distribution redirect to it (siteRequest.ts).
   */
  domain?: SiteDomain;
}

export interface SiteDomain {
  /** The canonical host, e.g. `lk.rac-oskol.ru`. */
  name: string;
  /** Other names the distribution answers, each redirected to `name` (e.g. `www.lk.rac-oskol.ru`). */
  aliases: readonly string[];
  /** An ACM certificate in us-east-1 covering `name` and the aliases. */
  certificateArn: string;
}

/** How long the site bucket keeps a replaced or deleted file. */
export const SITE_NONCURRENT_VERSION_DAYS = 90;

const COMMON_SECURITY_HEADERS: ResponseSecurityHeadersBehavior = {
  strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: true, override: true },
  contentTypeOptions: { override: true },
  frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
  referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN, override: true },
};

/**
 * The resident-facing site: a private bucket behind CloudFront (origin access control), with the
 * API under `/api/*` on the same origin so the session cookie stays first-party and no CORS is
 * needed, as the local runtime serves them.
 */
export class Site extends Construct {
  readonly distribution: Distribution;
  readonly url: string;

  constructor(scope: Construct, id: string, props: SiteProps) {
    super(scope, id);

    // Access logs of the site bucket and of CloudFront. They hold residents' IP addresses, so they
    // expire. CloudFront standard logging still writes through bucket ACLs, hence the ownership.
    const logs = new Bucket(this, 'AccessLogs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(logs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the access-log bucket itself; logging it into itself would loop.',
    });

    const bucket = new Bucket(this, 'Content', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      serverAccessLogsBucket: logs,
      serverAccessLogsPrefix: 's3/',
      // Each deploy replaces the site as a whole (and prunes the old files): versions let an
      // operator put back the previous build, or a file deleted by mistake, for three months.
      versioned: true,
      lifecycleRules: [
        {
          noncurrentVersionExpiration: Duration.days(SITE_NONCURRENT_VERSION_DAYS),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const siteSecurityHeaders: ResponseSecurityHeadersBehavior = {
      ...COMMON_SECURITY_HEADERS,
      // The one policy the local gateway and `vite preview` send too, so what is tested is what
      // CloudFront serves.
      contentSecurityPolicy: { contentSecurityPolicy: SITE_CONTENT_SECURITY_POLICY, override: true },
    };
    // The bucket's objects carry no Cache-Control: the browser is told here, as the local gateway
    // tells it (shared/sitePolicy.ts). The edge keeps its own copies until a deploy invalidates them.
    const siteHeaders = new ResponseHeadersPolicy(this, 'SiteHeaders', {
      comment: 'Security headers of the resident portal pages; revalidated on every visit',
      securityHeadersBehavior: siteSecurityHeaders,
      customHeadersBehavior: {
        customHeaders: [{ header: 'Cache-Control', value: SITE_CACHE_CONTROL.page, override: true }],
      },
    });
    const assetHeaders = new ResponseHeadersPolicy(this, 'AssetHeaders', {
      comment: 'Security headers of the resident portal assets; content-hashed names, cached for a year',
      securityHeadersBehavior: siteSecurityHeaders,
      customHeadersBehavior: {
        customHeaders: [{ header: 'Cache-Control', value: SITE_CACHE_CONTROL.assets, override: true }],
      },
    });
    // No CSP on the API: the ЕПД PDF is opened in the browser's viewer, which a CSP like the one
    // above (object-src 'none') blocks; the handlers set their own headers for JSON.
    const apiHeaders = new ResponseHeadersPolicy(this, 'ApiHeaders', {
      comment: 'Security headers of the resident portal API',
      securityHeadersBehavior: COMMON_SECURITY_HEADERS,
    });

    const spaRouting = siteRequestFunction(this, 'SpaRouting', props.domain?.name);

    const siteOrigin = S3BucketOrigin.withOriginAccessControl(bucket);
    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'Resident portal',
      defaultRootObject: 'index.html',
      ...(props.domain
        ? {
            domainNames: [props.domain.name, ...props.domain.aliases],
            certificate: Certificate.fromCertificateArn(this, 'Certificate', props.domain.certificateArn),
            minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
          }
        : {}),
      ...(props.webAclArn ? { webAclId: props.webAclArn } : {}),
      httpVersion: HttpVersion.HTTP2_AND_3,
      // Residents are in Russia; the cheapest class still has edge locations in Europe.
      priceClass: PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: logs,
      logFilePrefix: 'cloudfront/',
      // gzip and brotli at the edge (`compress`; CACHING_OPTIMIZED keys the cache on both), as the
      // local gateway serves them.
      defaultBehavior: {
        origin: siteOrigin,
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        compress: true,
        responseHeadersPolicy: siteHeaders,
        functionAssociations: [{ function: spaRouting, eventType: FunctionEventType.VIEWER_REQUEST }],
      },
      additionalBehaviors: {
        [`${SITE_ASSETS_PREFIX}*`]: {
          origin: siteOrigin,
          viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
          cachePolicy: CachePolicy.CACHING_OPTIMIZED,
          compress: true,
          responseHeadersPolicy: assetHeaders,
        },
        '/api/*': {
          origin: new HttpOrigin(props.apiDomain, {
            protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY,
            // The API refuses requests without it: nobody reaches it around CloudFront and its ACL.
            customHeaders: { [ORIGIN_HEADER]: props.originVerifyValue },
          }),
          viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: AllowedMethods.ALLOW_ALL,
          cachePolicy: CachePolicy.CACHING_DISABLED,
          // Everything the viewer sent (cookies, query, headers) except Host, which must name the
          // API's own domain for API Gateway to route the request.
          originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          responseHeadersPolicy: apiHeaders,
        },
      },
    });
    // The address mails, the bank's return URL and the redirects use (ENV.publicUrl).
    this.url = `https://${props.domain?.name ?? this.distribution.distributionDomainName}`;
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR1',
      reason: 'No geo restriction: residents pay and submit readings from wherever they are, abroad included.',
    });
    if (!props.domain) {
      Validations.of(this.distribution).acknowledge({
        id: 'AwsSolutions-CFR4',
        reason:
          'The distribution uses the default *.cloudfront.net certificate until the centre’s domain and its ACM ' +
          'certificate exist (context domainName, certificateArn); CloudFront cannot raise the minimum TLS ' +
          'version for the default certificate.',
      });
    }

    const source = siteSource(props.contentDir);
    if (source.placeholder) {
      Annotations.of(this).addWarningV2(
        '@rac/infra:site-placeholder',
        'web/dist is not built: the site deploys a placeholder page. Run `npm run build:web` before deploying.',
      );
    }

    // The deployment's handler gets our role and log group rather than the defaults (a role with
    // AWSLambdaBasicExecutionRole, which may write to any log group).
    const deployLogs = new LogGroup(this, 'DeploymentLogs', {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const deployRole = new Role(this, 'DeploymentRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'Copies the built site into its bucket and invalidates CloudFront',
    });
    deployLogs.grantWrite(deployRole);
    new BucketDeployment(this, 'Deployment', {
      sources: [Source.asset(source.path)],
      destinationBucket: bucket,
      distribution: this.distribution,
      distributionPaths: ['/*'],
      role: deployRole,
      logGroup: deployLogs,
      memoryLimit: 512,
    });
    acknowledgeDeployment(this, deployRole, bucket);
  }
}

/**
 * BucketDeployment's handler is aws-cdk-lib's own: its grants are written by CDK (BucketDeployment
 * grants `s3:GetObject*`-style action groups) and its runtime moves with aws-cdk-lib releases.
 */
function acknowledgeDeployment(site: Construct, role: Role, bucket: Bucket): void {
  const stack = Stack.of(site);
  const grants: Array<[string, string]> = [
    ['Action::s3:GetBucket*', 'reads the CDK asset bucket that holds the zipped site'],
    ['Action::s3:GetObject*', 'reads the zipped site from the CDK asset bucket'],
    ['Action::s3:List*', 'lists the asset and the site bucket to sync and prune'],
    ['Action::s3:Abort*', 'aborts its own failed multipart uploads to the site bucket'],
    ['Action::s3:DeleteObject*', 'prunes files of the previous build from the site bucket'],
    [
      `Resource::arn:${Token.isUnresolved(stack.partition) ? '<AWS::Partition>' : stack.partition}:s3:::${assetBucketName(stack)}/*`,
      'objects of the CDK asset bucket (it reads only its own asset key)',
    ],
    [
      `Resource::<${stack.getLogicalId(bucket.node.defaultChild as CfnBucket)}.Arn>/*`,
      'every object of the site bucket, which it replaces as a whole',
    ],
    ['Resource::*', 'cloudfront:CreateInvalidation/GetInvalidation take no resource narrower than *'],
  ];
  for (const [finding, why] of grants) {
    Validations.of(role).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason: `The site deployment ${why}.` });
  }
  const handler = stack.node.children.find((c) => c.node.id.startsWith('Custom::CDKBucketDeployment'));
  if (handler) {
    Validations.of(handler).acknowledge({
      id: 'AwsSolutions-L1',
      reason: 'The BucketDeployment handler (Python) is aws-cdk-lib’s; its runtime is updated with aws-cdk-lib.',
    });
  }
}

/** The bootstrap asset bucket's name as cdk-nag prints it (tokens as `<AWS::AccountId>`). */
function assetBucketName(stack: Stack): string {
  const qualifier = stack.synthesizer.bootstrapQualifier ?? DefaultStackSynthesizer.DEFAULT_QUALIFIER;
  // A stack with a concrete environment (the portal's region; the account when the CLI knows it)
  // names them literally.
  const concrete: Record<string, string> = {};
  if (!Token.isUnresolved(stack.region)) concrete['AWS::Region'] = stack.region;
  if (!Token.isUnresolved(stack.account)) concrete['AWS::AccountId'] = stack.account;
  return DefaultStackSynthesizer.DEFAULT_FILE_ASSETS_BUCKET_NAME.replace(/\$\{Qualifier\}/, qualifier).replace(
    /\$\{(AWS::\w+)\}/g,
    (_, name: string) => concrete[name] ?? `<${name}>`,
  );
}
