import { createHash, randomUUID } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { AwsClient } from 'aws4fetch';
import { config } from '#shared/config';
import { ENV } from '#shared/env';

/**
 * Where printed bills are kept (shared/epd/bill.ts names them `<period>/<account>-<state>.pdf`):
 * an S3 bucket in AWS (infra/constructs/epdStore.ts), the data folder locally
 * (`$RAC_DATA_DIR/epd/…`, default `.data/epd`).
 *
 * A file is written once and never changed: a new state of the bill is a new name. Of two writers
 * of the same name (two containers printing the same bill at once) the first one wins, and the
 * second is answered the first one's bytes, so both residents download the same file. Nobody ever
 * reads half a file.
 */
export interface EpdFiles {
  /** The file's bytes, or undefined when there is none. */
  read(key: string): Promise<Uint8Array | undefined>;
  /** Stores the file unless it exists; answers the bytes stored under the name either way. */
  create(key: string, bytes: Uint8Array): Promise<Uint8Array>;
}

/** Names are ours (bill.ts), but a path must never leave the folder whatever it is given. */
const KEY_RE = /^\d{4}-\d{2}\/\d{6}-[A-Za-z0-9_-]{16,64}\.pdf$/;

function checkKey(key: string): string {
  if (!KEY_RE.test(key)) throw new RangeError(`Not a bill file name: ${key}`);
  return key;
}

/** The data folder. A temporary name, then a hard link to the real one: link(2) never replaces. */
export class LocalEpdFiles implements EpdFiles {
  constructor(readonly root: string) {}

  async read(key: string): Promise<Uint8Array | undefined> {
    try {
      return new Uint8Array(await readFile(path.join(this.root, checkKey(key))));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async create(key: string, bytes: Uint8Array): Promise<Uint8Array> {
    const file = path.join(this.root, checkKey(key));
    await mkdir(path.dirname(file), { recursive: true });
    const temporary = `${file}.${randomUUID()}.tmp`;
    await writeFile(temporary, bytes);
    try {
      // Unlike rename(2), link(2) fails when the name exists: the first complete file stays.
      await link(temporary, file);
      return bytes;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      return new Uint8Array(await readFile(file));
    } finally {
      await unlink(temporary).catch(() => undefined);
    }
  }
}

/**
 * The bucket. PutObject is atomic (readers see the whole object or none) and `If-None-Match: *`
 * makes it create-only: S3 answers 412 when the key exists, and 409 while another conditional
 * write of it is in flight, after which the winner's object is read back.
 *
 * Two object requests, GET and a create-only PUT, signed with SigV4 by aws4fetch over fetch: the
 * AWS SDK's S3 client (~186 KiB with its checksums, XML and S3 middleware) cost every cold start of
 * the ЕПД download function ~15 ms of parsing, more than the rest of its code beyond a bare handler
 * (docs/cold-start.md). The PUT carries the SHA-256 of the PDF, which S3 checks. 5xx and 429 answers
 * are retried (aws4fetch, jittered exponential backoff). Credentials are the SDK's default chain:
 * in the function bundles the environment Lambda sets (shared/bundling.ts).
 */
export class S3EpdFiles implements EpdFiles {
  private client: Promise<AwsClient> | undefined;

  constructor(
    readonly bucket: string,
    readonly region: string,
    /** Virtual-hosted style by default; tests give a local endpoint. */
    readonly endpoint = `https://${bucket}.s3.${region}.amazonaws.com`,
  ) {}

  private aws(): Promise<AwsClient> {
    this.client ??= defaultProvider()().then(
      ({ accessKeyId, secretAccessKey, sessionToken }) =>
        new AwsClient({ accessKeyId, secretAccessKey, sessionToken, service: 's3', region: this.region, retries: 3 }),
    );
    return this.client;
  }

  private url(key: string): string {
    return `${this.endpoint}/${checkKey(key)}`;
  }

  async read(key: string): Promise<Uint8Array | undefined> {
    const response = await (await this.aws()).fetch(this.url(key));
    // Without s3:ListBucket a missing key would answer 403; the stack grants it (epdStore.ts).
    if (response.status === 404) return undefined;
    if (!response.ok) throw await s3Error('GetObject', key, response);
    return new Uint8Array(await response.arrayBuffer());
  }

  async create(key: string, bytes: Uint8Array): Promise<Uint8Array> {
    const response = await (await this.aws()).fetch(this.url(key), {
      method: 'PUT',
      // The printed PDF's bytes live in an ArrayBuffer (never a SharedArrayBuffer).
      body: bytes as Uint8Array<ArrayBuffer>,
      headers: {
        'content-type': 'application/pdf',
        'if-none-match': '*',
        'x-amz-content-sha256': createHash('sha256').update(bytes).digest('hex'),
      },
    });
    if (response.ok) return bytes;
    if (response.status !== 412 && response.status !== 409) throw await s3Error('PutObject', key, response);
    // Someone else's write of the same bill won (412) or is finishing (409): theirs is the file.
    for (let attempt = 0; attempt < 5; attempt++) {
      const stored = await this.read(key);
      if (stored) return stored;
      await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
    }
    // The other write failed after all: ours stands in for it in this answer; the next print stores.
    return bytes;
  }
}

/** S3's error code (`<Code>` of its XML answer) and status: no object contents or personal data. */
async function s3Error(operation: string, key: string, response: Response): Promise<Error> {
  const code = /<Code>([^<]{1,64})<\/Code>/.exec(await response.text().catch(() => ''))?.[1] ?? 'unknown';
  return new Error(`S3 ${operation} ${key}: ${response.status} ${code}`);
}

let files: EpdFiles | undefined;

/** The store of this process: the bucket in AWS (RAC_EPD_BUCKET), the data folder locally. */
export function epdFiles(): EpdFiles {
  if (files) return files;
  const { runtime, epdBucket } = config();
  if (runtime === 'aws') {
    if (!epdBucket) throw new Error(`${ENV.epdBucket} is not set: the stack sets it on the ЕПД functions`);
    // Lambda sets AWS_REGION; the bucket is in the function's own region (infra/constructs/epdStore.ts).
    const region = process.env.AWS_REGION;
    if (!region) throw new Error('AWS_REGION is not set: Lambda sets it for every function');
    files = new S3EpdFiles(epdBucket, region);
  } else {
    files = new LocalEpdFiles(path.resolve(process.env[ENV.dataDir] || '.data', 'epd'));
  }
  return files;
}

/** Tests point the data folder elsewhere between files; this forgets the store of this process. */
export function resetEpdFilesForTests(): void {
  files = undefined;
}
