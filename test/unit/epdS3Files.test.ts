import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Hash } from '@smithy/core/serde';
import { HttpRequest } from '@smithy/core/transport';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { S3EpdFiles } from '#shared/epd/files';

/**
 * The bucket's two object requests (shared/epd/files.ts) against a stand-in for S3 on loopback (S3
 * itself cannot run here): what each request carries, each answer S3 gives and what the store makes
 * of it. Every request's SigV4 signature is recomputed with the AWS SDK's own signer
 * (@smithy/signature-v4, an implementation independent of aws4fetch's) from the headers it signed.
 */

const CREDENTIALS = { accessKeyId: 'ASIATESTKEY', secretAccessKey: 'test-secret', sessionToken: 'test-session' };
const REGION = 'eu-central-1';
const KEY = '2026-10/100001-abcdefghijklmnop.pdf';
const PDF = new Uint8Array(Buffer.from('%PDF-1.7 bill'));

interface Seen {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
  signatureValid: boolean;
}

let server: Server;
let endpoint: string;
let seen: Seen[] = [];
/** The stand-in's answers, in order; then 200 with the object for GET, 200 for PUT. */
let script: Array<{ status: number; body?: string | Uint8Array }> = [];
let stored: Buffer | undefined;

async function signatureValid(request: IncomingMessage, body: Buffer): Promise<boolean> {
  const authorization = String(request.headers.authorization ?? '');
  const match =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
      authorization,
    );
  if (!match) return false;
  const [, accessKeyId, , region, signedHeaders, signature] = match as unknown as string[];
  const headers: Record<string, string> = {};
  for (const name of (signedHeaders as string).split(';')) headers[name] = String(request.headers[name] ?? '');
  const url = new URL(request.url ?? '/', 'http://localhost');
  const amzDate = headers['x-amz-date'] as string;
  const signingDate = new Date(
    `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
  );
  const signer = new SignatureV4({
    credentials: { ...CREDENTIALS, accessKeyId: accessKeyId as string },
    region: region as string,
    service: 's3',
    sha256: Hash.bind(null, 'sha256'),
    uriEscapePath: false,
    applyChecksum: false,
  });
  const signed = await signer.sign(
    new HttpRequest({
      method: request.method,
      protocol: 'http:',
      hostname: '127.0.0.1',
      path: url.pathname,
      headers,
      body,
    }),
    { signingDate, signableHeaders: new Set(Object.keys(headers)) },
  );
  const expected = /Signature=([0-9a-f]{64})/.exec(String(signed.headers.authorization))?.[1];
  return accessKeyId === CREDENTIALS.accessKeyId && region === REGION && expected === signature;
}

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', async () => {
      const body = Buffer.concat(chunks);
      seen.push({
        method: request.method ?? '',
        path: request.url ?? '',
        headers: request.headers,
        body,
        signatureValid: await signatureValid(request, body),
      });
      const next = script.shift();
      if (next) {
        response.writeHead(next.status, { 'content-type': 'application/xml' });
        response.end(next.body ?? '');
        return;
      }
      if (request.method === 'PUT') {
        stored = body;
        response.writeHead(200).end();
      } else if (stored) {
        response.writeHead(200, { 'content-type': 'application/pdf' }).end(stored);
      } else {
        response.writeHead(404).end('<Error><Code>NoSuchKey</Code></Error>');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/rac-epd-test`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const saved = { ...process.env };
beforeEach(() => {
  seen = [];
  script = [];
  stored = undefined;
  process.env.AWS_ACCESS_KEY_ID = CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = CREDENTIALS.secretAccessKey;
  process.env.AWS_SESSION_TOKEN = CREDENTIALS.sessionToken;
});
afterEach(() => {
  for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

const store = () => new S3EpdFiles('rac-epd-test', REGION, endpoint);

describe('the ЕПД bucket (S3EpdFiles)', () => {
  it('stores a bill create-only, signed, with its SHA-256 for S3 to check, then reads it back', async () => {
    const files = store();
    expect(await files.create(KEY, PDF)).toEqual(PDF);
    const put = seen[0] as Seen;
    expect(put).toMatchObject({ method: 'PUT', path: `/rac-epd-test/${KEY}`, signatureValid: true });
    expect(put.headers).toMatchObject({
      'if-none-match': '*',
      'content-type': 'application/pdf',
      'x-amz-content-sha256': createHash('sha256').update(PDF).digest('hex'),
      'x-amz-security-token': CREDENTIALS.sessionToken,
    });
    expect(new Uint8Array(put.body)).toEqual(PDF);
    // The integrity hash and the create-only condition are signed: S3 would refuse them altered.
    expect(String(put.headers.authorization)).toMatch(/SignedHeaders=[^,]*if-none-match[^,]*x-amz-content-sha256/);

    expect(await files.read(KEY)).toEqual(PDF);
    expect(seen[1]).toMatchObject({ method: 'GET', path: `/rac-epd-test/${KEY}`, signatureValid: true });
  });

  it('answers no file for a key S3 does not have (404 NoSuchKey)', async () => {
    expect(await store().read(KEY)).toBeUndefined();
  });

  it('gives the first writer’s bytes when the bill exists (412) or its write is in flight (409)', async () => {
    const theirs = new Uint8Array(Buffer.from('%PDF-1.7 theirs'));
    stored = Buffer.from(theirs);
    script = [{ status: 412, body: '<Error><Code>PreconditionFailed</Code></Error>' }];
    expect(await store().create(KEY, PDF)).toEqual(theirs);

    seen = [];
    stored = undefined;
    script = [{ status: 409, body: '<Error><Code>ConditionalRequestConflict</Code></Error>' }, { status: 404 }];
    const files = store();
    const answer = files.create(KEY, PDF);
    // The winner's object appears while the loser waits.
    setTimeout(() => {
      stored = Buffer.from(theirs);
    }, 50);
    expect(await answer).toEqual(theirs);
    expect(seen.map((s) => s.method)).toEqual(['PUT', 'GET', 'GET']);
  });

  it('retries S3’s 503 SlowDown and 500 answers', async () => {
    script = [{ status: 503, body: '<Error><Code>SlowDown</Code></Error>' }, { status: 500 }];
    expect(await store().create(KEY, PDF)).toEqual(PDF);
    expect(seen.map((s) => s.method)).toEqual(['PUT', 'PUT', 'PUT']);
  });

  it('fails on any other answer with S3’s code and status, never the object', async () => {
    script = [{ status: 403, body: '<Error><Code>AccessDenied</Code><Message>no</Message></Error>' }];
    await expect(store().read(KEY)).rejects.toThrow(`S3 GetObject ${KEY}: 403 AccessDenied`);
    script = [{ status: 400, body: '<Error><Code>InvalidRequest</Code></Error>' }];
    await expect(store().create(KEY, PDF)).rejects.toThrow(`S3 PutObject ${KEY}: 400 InvalidRequest`);
  });

  it('refuses a name that is not a bill’s before any request', async () => {
    await expect(store().read('../other/secret.pdf')).rejects.toThrow(RangeError);
    expect(seen).toEqual([]);
  });
});
