import { randomUUID } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { config } from '#shared/config';
import { ENV } from '#shared/env';
import { tracer } from '#shared/tracer';

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
 */
export class S3EpdFiles implements EpdFiles {
  constructor(
    readonly bucket: string,
    private readonly client: () => Promise<S3Client>,
  ) {}

  async read(key: string): Promise<Uint8Array | undefined> {
    const { GetObjectCommand, NoSuchKey } = await import('#shared/epd/s3Commands');
    try {
      const out = await (await this.client()).send(new GetObjectCommand({ Bucket: this.bucket, Key: checkKey(key) }));
      return out.Body ? await out.Body.transformToByteArray() : undefined;
    } catch (error) {
      // Without s3:ListBucket a missing key would answer 403; the stack grants it (epdStore.ts).
      if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') return undefined;
      throw error;
    }
  }

  async create(key: string, bytes: Uint8Array): Promise<Uint8Array> {
    const { PutObjectCommand } = await import('#shared/epd/s3Commands');
    try {
      await (await this.client()).send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: checkKey(key),
          Body: bytes,
          ContentType: 'application/pdf',
          IfNoneMatch: '*',
        }),
      );
      return bytes;
    } catch (error) {
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status !== 412 && status !== 409) throw error;
    }
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

let files: EpdFiles | undefined;
let s3: Promise<S3Client> | undefined;

/** The store of this process: the bucket in AWS (RAC_EPD_BUCKET), the data folder locally. */
export function epdFiles(): EpdFiles {
  if (files) return files;
  const { runtime, epdBucket } = config();
  if (runtime === 'aws') {
    if (!epdBucket) throw new Error(`${ENV.epdBucket} is not set: the stack sets it on the ЕПД functions`);
    files = new S3EpdFiles(epdBucket, () => {
      s3 ??= import('#shared/epd/s3Commands').then(({ S3Client }) => tracer.captureAWSv3Client(new S3Client({})));
      return s3;
    });
  } else {
    files = new LocalEpdFiles(path.resolve(process.env[ENV.dataDir] || '.data', 'epd'));
  }
  return files;
}

/** Tests point the data folder elsewhere between files; this forgets the store of this process. */
export function resetEpdFilesForTests(): void {
  files = undefined;
}
