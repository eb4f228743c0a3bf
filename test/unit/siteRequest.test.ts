import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { siteRequestCode } from '#infra/constructs/siteRequest';

/**
 * The CloudFront Function of the site's pages, run as the edge runs it: its code text, an event of
 * the cloudfront-js-2.0 shape. With a domain, other host names get 301 to it; everything else gets
 * the single-page app's routing.
 */

type Result = { statusCode?: number; headers?: Record<string, { value: string }>; uri?: string };

function run(code: string, host: string, uri: string, querystring: Record<string, unknown> = {}): Result {
  const sandbox: { result?: Result } = {};
  runInNewContext(
    `${code}\nresult = handler(${JSON.stringify({ request: { method: 'GET', uri, querystring, headers: { host: { value: host } } } })});`,
    sandbox,
  );
  return sandbox.result as Result;
}

describe('the site’s viewer-request function', () => {
  const code = siteRequestCode('lk.rac-oskol.ru');

  it('sends another host name to the same page on the domain, query kept', () => {
    const result = run(code, 'www.lk.rac-oskol.ru', '/payments/return', {
      id: { value: 'p-1' },
      tag: { value: 'a', multiValue: [{ value: 'a' }, { value: 'b' }] },
    });
    expect(result.statusCode).toBe(301);
    expect(result.headers?.location?.value).toBe('https://lk.rac-oskol.ru/payments/return?id=p-1&tag=a&tag=b');
    expect(run(code, 'd111.cloudfront.net', '/').headers?.location?.value).toBe('https://lk.rac-oskol.ru/');
  });

  it('routes the domain’s client-side pages to index.html and leaves files alone', () => {
    expect(run(code, 'LK.rac-oskol.ru', '/readings/quick').uri).toBe('/index.html');
    expect(run(code, 'lk.rac-oskol.ru', '/robots.txt').uri).toBe('/robots.txt');
  });

  it('without a domain, only routes', () => {
    const routing = siteRequestCode(undefined);
    expect(run(routing, 'd111.cloudfront.net', '/account').uri).toBe('/index.html');
    expect(run(routing, 'd111.cloudfront.net', '/account').statusCode).toBeUndefined();
  });
});
