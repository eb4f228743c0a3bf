import { Function as EdgeFunction, FunctionCode, FunctionRuntime } from 'aws-cdk-lib/aws-cloudfront';
import type { Construct } from 'constructs';

/**
 * The viewer-request function of the site's pages (the distribution's default behaviour; the API
 * and the hashed assets have none). A behaviour takes one function per event, so it does both jobs:
 *
 * - Canonical address: with the centre's domain configured, a page asked for under any other host
 *   name (`www.`, a second alias, the distribution's `*.cloudfront.net` name) is answered 301 to the
 *   same path on the domain. The session cookie is a `__Host-` cookie of one host: a resident who
 *   paid after logging in on another host came back from the bank to a login form. The bank's return
 *   address and every mailed link are built from the same URL (ENV.publicUrl), so they never redirect.
 * - Client-side routes of the single-page app (no file extension) get index.html. Distribution-wide
 *   error responses (403/404 → /index.html) would also rewrite the API's own 403 `csrf` and 404
 *   `no_bill` into a 200 HTML page.
 *
 * The code is plain cloudfront-js-2.0 text; `siteRequestCode` is exported so a unit test runs it.
 */
export function siteRequestCode(canonicalHost: string | undefined): string {
  const redirect = canonicalHost
    ? `
  var host = request.headers.host ? request.headers.host.value.toLowerCase() : '';
  if (host !== CANONICAL_HOST) {
    return {
      statusCode: 301,
      statusDescription: 'Moved Permanently',
      headers: {
        location: { value: 'https://' + CANONICAL_HOST + request.uri + queryString(request.querystring) },
        'cache-control': { value: 'max-age=3600' }
      }
    };
  }`
    : '';
  return `var CANONICAL_HOST = ${JSON.stringify(canonicalHost?.toLowerCase() ?? '')};

function queryString(query) {
  var parts = [];
  for (var name in query) {
    var entry = query[name];
    var values = entry.multiValue ? entry.multiValue : [entry];
    for (var i = 0; i < values.length; i++) {
      parts.push(values[i].value === '' ? name : name + '=' + values[i].value);
    }
  }
  return parts.length ? '?' + parts.join('&') : '';
}

function handler(event) {
  var request = event.request;${redirect}
  var last = request.uri.substring(request.uri.lastIndexOf('/') + 1);
  if (last.indexOf('.') === -1) request.uri = '/index.html';
  return request;
}`;
}

/** The function itself; `canonicalHost` undefined: no domain yet, routing only. */
export function siteRequestFunction(scope: Construct, id: string, canonicalHost: string | undefined): EdgeFunction {
  return new EdgeFunction(scope, id, {
    code: FunctionCode.fromInline(siteRequestCode(canonicalHost)),
    runtime: FunctionRuntime.JS_2_0,
    comment: canonicalHost
      ? `Redirects other host names to ${canonicalHost}; serves index.html for client-side routes`
      : 'Serves index.html for client-side routes',
  });
}
