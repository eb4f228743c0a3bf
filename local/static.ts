import { createReadStream, existsSync, type Stats, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import Negotiator from 'negotiator';
import { SITE_ASSETS_PREFIX, SITE_CACHE_CONTROL, SITE_HEADERS } from '#shared/sitePolicy';

/**
 * The built site (web/dist) as CloudFront serves it: gzip or brotli when the browser accepts it,
 * hashed assets cached for a year, everything else (index.html) revalidated on every visit.
 */

export const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

// CloudFront compresses these types, and only files of 1 000 to 10 000 000 bytes: smaller ones
// gain nothing, larger ones go as they are. PNG and woff2 are compressed already.
const COMPRESSIBLE = /^(text\/|application\/(json|javascript|manifest\+json)|image\/(svg\+xml|x-icon))/;
export const MIN_COMPRESSED_BYTES = 1_000;
const MAX_COMPRESSED_BYTES = 10_000_000;

/** Offered in this order: CloudFront prefers brotli when a browser takes both. */
const ENCODINGS = ['br', 'gzip', 'identity'] as const;
type Encoding = (typeof ENCODINGS)[number];

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);

/** Compressed once per file version (path, size, modification time) and kept: the site is small. */
const compressed = new Map<string, Promise<Buffer>>();

function compress(file: string, stats: Stats, encoding: 'br' | 'gzip'): Promise<Buffer> {
  const key = `${encoding}\0${file}\0${stats.size}\0${stats.mtimeMs}`;
  let result = compressed.get(key);
  if (!result) {
    result = readFile(file).then((content) =>
      encoding === 'br'
        ? brotli(content, {
            params: {
              [zlib.constants.BROTLI_PARAM_QUALITY]: zlib.constants.BROTLI_MAX_QUALITY,
              [zlib.constants.BROTLI_PARAM_SIZE_HINT]: content.length,
            },
          })
        : gzip(content, { level: zlib.constants.Z_BEST_COMPRESSION }),
    );
    // A file that vanished mid-read is not remembered as such.
    result.catch(() => compressed.delete(key));
    compressed.set(key, result);
  }
  return result;
}

function decodedPath(pathname: string): string | undefined {
  try {
    return decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
}

/** The file a path names inside the site, index.html for a client-side route, or undefined. */
export function siteFile(siteDir: string, pathname: string): string | undefined {
  // A malformed %-escape names no file (the site's page or a 404, as CloudFront), never a crash.
  const decoded = decodedPath(pathname);
  const resolved = decoded === undefined ? '' : path.resolve(siteDir, `.${decoded}`);
  const inside = resolved !== '' && resolved.startsWith(path.resolve(siteDir) + path.sep);
  let file = inside && existsSync(resolved) && statSync(resolved).isFile() ? resolved : undefined;
  // Single-page app: unknown paths get index.html, as the distribution's viewer-request function does.
  if (!file && !path.extname(pathname)) file = path.join(siteDir, 'index.html');
  return file && existsSync(file) ? file : undefined;
}

/** The encoding to answer with: the best one the request accepts, or identity. */
export function chooseEncoding(req: IncomingMessage, contentType: string, size: number): Encoding {
  if (!COMPRESSIBLE.test(contentType) || size < MIN_COMPRESSED_BYTES || size > MAX_COMPRESSED_BYTES) {
    return 'identity';
  }
  const [best] = new Negotiator(req).encodings(ENCODINGS, { preferred: ENCODINGS });
  return (ENCODINGS as readonly string[]).includes(best ?? '') ? (best as Encoding) : 'identity';
}

/** Answers a GET or HEAD for the site: a file, index.html for a client route, or a 404. */
export async function serveStatic(
  req: IncomingMessage,
  res: ServerResponse,
  siteDir: string,
  pathname: string,
): Promise<void> {
  const file = siteFile(siteDir, pathname);
  if (!file) {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', ...SITE_HEADERS });
    res.end(
      existsSync(path.join(siteDir, 'index.html'))
        ? 'Не найдено'
        : 'Сайт не собран: выполните npm run build:web (npm start делает это сам).',
    );
    return;
  }
  const stats = statSync(file);
  const contentType = CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream';
  const hashed = path.relative(siteDir, file).startsWith(SITE_ASSETS_PREFIX.slice(1));
  // One weak validator for every encoding of the same file, as S3 and CloudFront keep one ETag.
  const etag = `W/"${stats.size.toString(16)}-${Math.trunc(stats.mtimeMs).toString(16)}"`;
  const headers: Record<string, string> = {
    'content-type': contentType,
    'cache-control': hashed ? SITE_CACHE_CONTROL.assets : SITE_CACHE_CONTROL.page,
    etag,
    ...SITE_HEADERS,
  };
  if (COMPRESSIBLE.test(contentType)) headers.vary = 'Accept-Encoding';
  const tags = req.headers['if-none-match'];
  if (tags?.split(',').some((tag) => tag.trim() === etag || tag.trim() === '*')) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  const encoding = chooseEncoding(req, contentType, stats.size);
  if (encoding === 'identity') {
    res.writeHead(200, { ...headers, 'content-length': String(stats.size) });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
    return;
  }
  const body = await compress(file, stats, encoding);
  res.writeHead(200, { ...headers, 'content-encoding': encoding, 'content-length': String(body.length) });
  res.end(req.method === 'HEAD' ? undefined : body);
}
