import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { invokeGroup } from '#local/lambda';
import { assertPortFree } from '#local/ports';
import { serveStatic } from '#local/static';
import { DomainError } from '#shared/errors';
import { errorResponse } from '#shared/http/errorHandler';
import { findRoute, pathExists, routeKey } from '#shared/routes';

/** API Gateway HTTP API's payload limit; larger requests get 413 there too. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

const TEXT_TYPES = /^(text\/|application\/(json|x-www-form-urlencoded|xml|javascript)|[^;]*\+json)/i;

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw DomainError.of('invalid_input', { fields: { _: 'Слишком большой запрос.' } });
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * Builds the API Gateway HTTP API payload-2.0 event: lower-case headers with repeated values
 * joined by commas, cookies split out into `cookies[]`, repeated query parameters joined by commas,
 * binary bodies base64-encoded.
 */
export function toEvent(
  req: IncomingMessage,
  url: URL,
  body: Buffer,
  route: { routeKey: string; pathParameters: Record<string, string> },
): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  let cookies: string[] | undefined;
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = (req.rawHeaders[i] as string).toLowerCase();
    const value = req.rawHeaders[i + 1] as string;
    if (name === 'cookie') {
      cookies = [...(cookies ?? []), ...value.split(/;\s*/).filter(Boolean)];
      continue;
    }
    headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
  }
  // Standing in for CloudFront, which sets the viewer's address and port itself: a header of that
  // name sent by the client never gets through (shared/limits/sourceAddress.ts trusts it).
  const sourceIp = req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1';
  headers['cloudfront-viewer-address'] = `${sourceIp}:${req.socket.remotePort ?? 0}`;
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) {
    query[name] = query[name] === undefined ? value : `${query[name]},${value}`;
  }
  const contentType = headers['content-type'] ?? '';
  const isText = body.length === 0 || TEXT_TYPES.test(contentType);
  const now = new Date();
  const method = (req.method ?? 'GET').toUpperCase();
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: route.routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    headers,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: (headers.host ?? 'localhost').split('.')[0] as string,
      http: {
        method,
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: route.routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    isBase64Encoded: !isText,
  };
  if (cookies) event.cookies = cookies;
  if (Object.keys(query).length) event.queryStringParameters = query;
  if (Object.keys(route.pathParameters).length) event.pathParameters = route.pathParameters;
  if (body.length) event.body = isText ? body.toString('utf8') : body.toString('base64');
  return event;
}

/** Writes a Lambda result the way API Gateway does, including its inference for plain values. */
export function writeResult(res: ServerResponse, result: unknown): void {
  const structured =
    result && typeof result === 'object' && 'statusCode' in result
      ? (result as APIGatewayProxyStructuredResultV2)
      : { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(result ?? null) };
  for (const [name, value] of Object.entries(structured.headers ?? {})) res.setHeader(name, String(value));
  if (structured.cookies?.length) res.setHeader('set-cookie', structured.cookies);
  res.statusCode = structured.statusCode ?? 200;
  const body = structured.body ?? '';
  res.end(structured.isBase64Encoded ? Buffer.from(body, 'base64') : body);
}

/** A local service under its own path prefix on the same port (the sandbox acquirer). */
export interface GatewayMount {
  prefix: string;
  handle: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>;
}

export interface Gateway {
  url: string;
  server: http.Server;
  stop: () => Promise<void>;
}

/**
 * The local stand-in for CloudFront + API Gateway: `/api/*` through the route table to the real
 * handler modules, everything else from the built site.
 */
export async function startGateway(options: {
  port: number;
  siteDir: string;
  host?: string;
  mounts?: readonly GatewayMount[];
  /**
   * The site's one address (`npm start`: RAC_PUBLIC_URL). A page asked for under another host name
   * is redirected to it, as CloudFront does (infra/constructs/siteRequest.ts): the session cookie
   * belongs to one host, so a resident who logged in on `localhost` and came back from the bank to
   * `127.0.0.1` would otherwise meet a login form. The API, the local sandboxes and health answer
   * on any host. Absent: no redirects (the test gateways).
   */
  canonicalUrl?: string;
}): Promise<Gateway> {
  await assertPortFree(options.port, 'веб-сервер и API, PORT');
  const canonical = options.canonicalUrl ? new URL(options.canonicalUrl) : undefined;
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    try {
      const mount = options.mounts?.find((m) => url.pathname.startsWith(`${m.prefix}/`));
      if (mount) {
        await mount.handle(req, res, url);
        return;
      }
      if (url.pathname !== '/api' && !url.pathname.startsWith('/api/')) {
        if (req.method !== 'GET' && req.method !== 'HEAD') {
          writeResult(res, errorResponse(DomainError.of('method_not_allowed')));
          return;
        }
        const host = req.headers.host?.toLowerCase();
        if (canonical && host && host !== canonical.host) {
          // 308 keeps the method; no-store, so a browser does not remember it past a change of address.
          res.writeHead(308, {
            location: new URL(`${url.pathname}${url.search}`, canonical).href,
            'cache-control': 'no-store',
          });
          res.end();
          return;
        }
        await serveStatic(req, res, options.siteDir, url.pathname);
        return;
      }
      const method = (req.method ?? 'GET').toUpperCase();
      const found = findRoute(method, url.pathname);
      if (!found) {
        const code = pathExists(url.pathname) ? 'method_not_allowed' : 'not_found';
        writeResult(res, errorResponse(DomainError.of(code)));
        return;
      }
      const body = await readBody(req);
      const event = toEvent(req, url, body, { routeKey: routeKey(found.route), pathParameters: found.pathParameters });
      writeResult(res, await invokeGroup(found.route.group, event));
    } catch (error) {
      // The handler's own error handler answers everything it can; reaching here means the
      // function itself failed, which API Gateway reports as a bare 500.
      if (error instanceof DomainError) {
        writeResult(res, errorResponse(error));
      } else {
        console.error('Function failed:', (error as Error).message);
        writeResult(res, errorResponse(DomainError.of('internal')));
      }
    }
  });
  await new Promise<void>((resolve) => server.listen(options.port, options.host ?? '127.0.0.1', resolve));
  return {
    url: `http://localhost:${options.port}`,
    server,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
