import { CfnWebACL } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import type { HttpMethod } from '#shared/api/route';
import { DomainError } from '#shared/errors';

/**
 * The signed bank routes: the banks' own apps (`/api/banks/…`) and the acquirer's callbacks
 * (`/api/webhooks/…`). They have their own rule (`Banks`), far above what banks send, and the
 * catch-all `/api/` rule leaves them out.
 */
export const SIGNED_PATH_PREFIXES = ['/api/banks/', '/api/webhooks/'] as const;

/**
 * What a rate rule counts: every path under one of some prefixes (less those it leaves to another
 * rule), or some exact paths with one method.
 */
type EdgeRateScope =
  | { pathPrefixes: readonly string[]; except?: readonly string[] }
  | { method: HttpMethod; paths: readonly string[] };

export type EdgeRateLimit = EdgeRateScope & { name: string; limit: number; why: string };

/** AWS WAF's quota of rate-based rules in one web ACL: routes that need the same limit share a rule. */
export const MAX_RATE_RULES = 10;

/**
 * Per-address limits at CloudFront's edge (AWS WAF rate-based rules, counted per viewer IP over a
 * 5-minute window), on the paths a script without an account would hammer. They sit above what a
 * household does — a resident logs in, submits readings and downloads a bill or two — and below
 * what a script needs: the application's own limits (per account, per address, in DynamoDB) still
 * apply underneath; these only keep the flood off the functions. The answer is the contract's 429
 * `too_many_attempts` with `Retry-After`. Every route without a session that changes something
 * has a rule narrower than the catch-all one (test/infra/stack.test.ts walks the route table).
 */
export const EDGE_RATE_LIMITS = [
  { name: 'Auth', pathPrefixes: ['/api/auth/'], limit: 100, why: 'login, registration, recovery, reset' },
  { name: 'Captcha', pathPrefixes: ['/api/captcha'], limit: 60, why: 'robot-check challenges' },
  // Generous: a mobile operator puts many residents behind one address (CGNAT), and the pass is
  // limited per account (5 starts an hour) anyway.
  { name: 'QuickReadings', pathPrefixes: ['/api/readings/quick'], limit: 100, why: 'readings without login' },
  // The path exactly, and POST only: a prefix would also count `/api/payments` (the residents' own
  // payments) and the result page's polling of `GET /api/pay/{id}`. Each order tells whether an
  // account exists and its owner's initials, and needs a solved robot check (`/api/captcha`, 60).
  { name: 'GuestPay', method: 'POST', paths: ['/api/pay'], limit: 30, why: 'card payment orders without login' },
  // The path exactly, and POST only: not the logged-in list (`GET`) nor a resident's reply
  // (`/api/support/{id}/messages`). Each ticket mails the centre and the address the writer typed,
  // and a guest's needs a solved robot check (`/api/captcha`, 60); a whole city writes a few an hour.
  { name: 'SupportTicket', method: 'POST', paths: ['/api/support'], limit: 30, why: 'support tickets, guests too' },
  // The two mailed links of an e-mail change, opened without a session: a resident opens each once
  // (twice after a slow page); the token is single-use and unguessable, so more than a handful from
  // one address is a script. Not `POST /api/profile/email` (the change itself, with a session).
  {
    name: 'EmailLinks',
    method: 'POST',
    paths: ['/api/profile/email/confirm', '/api/profile/email/undo'],
    limit: 20,
    why: 'e-mail change links (confirm, undo)',
  },
  { name: 'Epd', pathPrefixes: ['/api/epd/'], limit: 60, why: 'ЕПД PDFs (each one renders in Chromium)' },
  // Signed bank calls. WAF's block refuses everything from an address until its count over the last
  // 5 minutes falls below the limit — retries included, and they are counted too — so a bank
  // replaying a backlog after an outage would be shut out for as long as it kept retrying. The
  // gateway's route throttles (infra/stack.ts `ROUTE_THROTTLES`, 20/s and burst 40 per route) pass
  // their rate and refuse only the excess. This limit is twice what those throttles let through on
  // all four bank routes in 5 minutes, so a bank only ever meets the throttle, and only one address
  // sending several times what could ever get through is cut off here. Forged calls are refused by
  // their signature and counted (`ForgedAcquirerCallbacks`, `ForgedBankRequests`).
  { name: 'Banks', pathPrefixes: SIGNED_PATH_PREFIXES, limit: 50_000, why: 'banks and the acquirer (signed)' },
  // Everything else under /api/, the constant public documents (health, OpenAPI, tariffs) included:
  // they have no per-address limit in the application (their functions cannot write the table).
  { name: 'Api', pathPrefixes: ['/api/'], except: SIGNED_PATH_PREFIXES, limit: 2000, why: 'any other API request' },
] as const satisfies readonly EdgeRateLimit[];

/**
 * Rules of the common rule set that would refuse legitimate requests here, counted instead of
 * blocked: a support message of 4000 Cyrillic characters is ~8 KB of UTF-8 (SizeRestrictions_BODY
 * blocks bodies over 8 KB), and passwords and messages may hold `<…>` that the XSS rule reads as
 * markup. The application validates every body (zod, length limits) and never renders it as HTML.
 * A request without a User-Agent (NoUserAgent_HEADER) is counted too: a bank's or the acquirer's
 * server may send none, and a blocked callback is a payment left unsettled; scripts are met by the
 * robot check and the per-address limits, which a forged User-Agent would pass anyway.
 */
export const COUNTED_COMMON_RULES = ['SizeRestrictions_BODY', 'CrossSiteScripting_BODY', 'NoUserAgent_HEADER'] as const;

export const EDGE_RATE_WINDOW_SECONDS = 300;

/** AWS managed rule groups: OWASP-style common rules, and request patterns known to be exploits. */
export const MANAGED_RULE_GROUPS = ['AWSManagedRulesCommonRuleSet', 'AWSManagedRulesKnownBadInputsRuleSet'] as const;

const TOO_MANY = 'TooManyAttempts';

/**
 * The scope-down statement of a rate rule. Paths are lowercased first: API Gateway routes are
 * case-sensitive, but a differently cased path must not slip past the count on its way to a 404
 * either.
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
  // WAF's OR statement takes two statements or more.
  const anyOf = (statements: CfnWebACL.StatementProperty[]): CfnWebACL.StatementProperty => {
    const [only, ...more] = statements;
    return only && more.length === 0 ? only : { orStatement: { statements } };
  };
  if ('pathPrefixes' in rule) {
    const within = anyOf(rule.pathPrefixes.map((prefix) => uriPath('STARTS_WITH', prefix)));
    if (!rule.except?.length) return within;
    const excluded = anyOf(rule.except.map((prefix) => uriPath('STARTS_WITH', prefix)));
    return { andStatement: { statements: [within, { notStatement: { statement: excluded } }] } };
  }
  return {
    andStatement: {
      statements: [
        anyOf(rule.paths.map((path) => uriPath('EXACTLY', path))),
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
