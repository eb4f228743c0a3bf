import { CfnWebACL } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { DomainError } from '#shared/errors';

/**
 * Per-address limits at CloudFront's edge (AWS WAF rate-based rules, counted per viewer IP over a
 * 5-minute window), on the paths a script without an account would hammer. They sit above what a
 * household does — a resident logs in, submits readings and downloads a bill or two — and below
 * what a script needs: the application's own limits (per account, per address, in DynamoDB) still
 * apply underneath; these only keep the flood off the functions. The answer is the contract's 429
 * `too_many_attempts` with `Retry-After`.
 */
export const EDGE_RATE_LIMITS = [
  { name: 'Auth', pathPrefix: '/api/auth/', limit: 100, why: 'login, registration, recovery, reset' },
  { name: 'Captcha', pathPrefix: '/api/captcha', limit: 60, why: 'robot-check challenges' },
  // Generous: a mobile operator puts many residents behind one address (CGNAT), and the pass is
  // limited per account (5 starts an hour) anyway.
  { name: 'QuickReadings', pathPrefix: '/api/readings/quick', limit: 100, why: 'readings without login' },
  // The path exactly, and POST only: a prefix would also count `/api/payments` (the residents' own
  // payments) and the result page's polling of `GET /api/pay/{id}`. Each order tells whether an
  // account exists and its owner's initials, and needs a solved robot check (`/api/captcha`, 60).
  { name: 'GuestPay', path: '/api/pay', method: 'POST', limit: 30, why: 'card payment orders without login' },
  { name: 'Epd', pathPrefix: '/api/epd/', limit: 60, why: 'ЕПД PDFs (each one renders in Chromium)' },
  // Everything under /api/, the constant public documents (health, OpenAPI, tariffs) included: they
  // have no per-address limit in the application (their functions cannot write the table).
  { name: 'Api', pathPrefix: '/api/', limit: 2000, why: 'any API request' },
] as const;

/**
 * Rules of the common rule set that would refuse legitimate requests here, counted instead of
 * blocked: a support message of 4000 Cyrillic characters is ~8 KB of UTF-8 (SizeRestrictions_BODY
 * blocks bodies over 8 KB), and passwords and messages may hold `<…>` that the XSS rule reads as
 * markup. The application validates every body (zod, length limits) and never renders it as HTML.
 */
export const COUNTED_COMMON_RULES = ['SizeRestrictions_BODY', 'CrossSiteScripting_BODY'] as const;

export const EDGE_RATE_WINDOW_SECONDS = 300;

/** AWS managed rule groups: OWASP-style common rules, and request patterns known to be exploits. */
export const MANAGED_RULE_GROUPS = ['AWSManagedRulesCommonRuleSet', 'AWSManagedRulesKnownBadInputsRuleSet'] as const;

const TOO_MANY = 'TooManyAttempts';

type EdgeRateLimit = (typeof EDGE_RATE_LIMITS)[number];

/**
 * What a rate rule counts: every path under a prefix, or one path with one method. Paths are
 * lowercased first: API Gateway routes are case-sensitive, but a differently cased path must not
 * slip past the count on its way to a 404 either.
 */
function scopeOf(rule: EdgeRateLimit): CfnWebACL.StatementProperty {
  const uriPath = (positionalConstraint: 'STARTS_WITH' | 'EXACTLY', searchString: string) => ({
    byteMatchStatement: {
      fieldToMatch: { uriPath: {} },
      positionalConstraint,
      searchString,
      textTransformations: [{ priority: 0, type: 'LOWERCASE' }],
    },
  });
  if ('pathPrefix' in rule) return uriPath('STARTS_WITH', rule.pathPrefix);
  return {
    andStatement: {
      statements: [
        uriPath('EXACTLY', rule.path),
        {
          byteMatchStatement: {
            fieldToMatch: { method: {} },
            positionalConstraint: 'EXACTLY',
            searchString: rule.method,
            textTransformations: [{ priority: 0, type: 'NONE' }],
          },
        },
      ],
    },
  };
}

const visibility = (metricName: string) => ({
  cloudWatchMetricsEnabled: true,
  metricName,
  sampledRequestsEnabled: true,
});

/**
 * The web ACL of the site's CloudFront distribution. A CloudFront web ACL must live in us-east-1
 * (scope CLOUDFRONT), so this construct goes into the edge stack (infra/edgeStack.ts), and the
 * portal stack takes its ARN through a cross-region reference, as the CDK docs advise.
 */
export class EdgeFirewall extends Construct {
  readonly webAcl: CfnWebACL;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const error = DomainError.of('too_many_attempts', { retryAfter: EDGE_RATE_WINDOW_SECONDS });
    const managed: CfnWebACL.RuleProperty[] = MANAGED_RULE_GROUPS.map((name, index) => ({
      name,
      priority: index,
      overrideAction: { none: {} },
      statement: {
        managedRuleGroupStatement: {
          vendorName: 'AWS',
          name,
          ...(name === 'AWSManagedRulesCommonRuleSet'
            ? { ruleActionOverrides: COUNTED_COMMON_RULES.map((rule) => ({ name: rule, actionToUse: { count: {} } })) }
            : {}),
        },
      },
      visibilityConfig: visibility(name),
    }));
    const limits: CfnWebACL.RuleProperty[] = EDGE_RATE_LIMITS.map((rule, index) => ({
      name: `RateLimit${rule.name}`,
      priority: 10 + index,
      action: {
        block: {
          customResponse: {
            responseCode: 429,
            customResponseBodyKey: TOO_MANY,
            responseHeaders: [{ name: 'retry-after', value: String(EDGE_RATE_WINDOW_SECONDS) }],
          },
        },
      },
      statement: {
        rateBasedStatement: {
          limit: rule.limit,
          evaluationWindowSec: EDGE_RATE_WINDOW_SECONDS,
          aggregateKeyType: 'IP',
          scopeDownStatement: scopeOf(rule),
        },
      },
      visibilityConfig: visibility(`RateLimit${rule.name}`),
    }));
    this.webAcl = new CfnWebACL(this, 'WebAcl', {
      description: 'Resident portal: per-address limits and AWS managed rules in front of CloudFront',
      scope: 'CLOUDFRONT',
      defaultAction: { allow: {} },
      rules: [...managed, ...limits],
      customResponseBodies: {
        [TOO_MANY]: {
          contentType: 'APPLICATION_JSON',
          content: JSON.stringify(error.toBody()),
        },
      },
      visibilityConfig: visibility('RacPortalWebAcl'),
    });
  }
}
