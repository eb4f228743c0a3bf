import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { BlockPublicAccess, Bucket, BucketEncryption, type CfnBucket, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { PortalFunction } from '#infra/constructs/portalFunction';
import { ENV } from '#shared/env';

/**
 * Days a printed bill is kept. Residents see the last year of bills; one asked for after this is
 * printed again from the ledger (the same numbers, a new "formed on" date).
 */
export const EPD_FILE_DAYS = 400;

export interface EpdStoreProps {
  /** The functions that print and serve bills (the ЕПД groups): each may read and create files. */
  functions: readonly PortalFunction[];
}

/**
 * The printed ЕПД files (shared/epd/files.ts): one object per account, month and state of the bill,
 * written once by whichever function prints it first (create-only: `If-None-Match: *`), read by
 * the download and the issuance. The bills carry names and addresses (152-ФЗ), so the bucket is
 * private, encrypted, reachable over TLS only, and its objects expire.
 */
export class EpdStore extends Construct {
  readonly bucket: Bucket;

  constructor(scope: Construct, id: string, props: EpdStoreProps) {
    super(scope, id);
    this.bucket = new Bucket(this, 'Bucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      // SSE-S3: no KMS request per download (a busy evening is thousands), no key grants to keep.
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // Every state of a bill is its own object and never overwritten: versions would only add copies.
      versioned: false,
      lifecycleRules: [
        { id: 'expire-printed-bills', expiration: Duration.days(EPD_FILE_DAYS) },
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      // What is in it can be printed again from the ledger; the bucket outlives the stack anyway,
      // so a stack deleted by mistake does not drop residents' bills in the middle of a month.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'Only the two ЕПД functions reach this bucket, with their own roles; each read and write is an invocation ' +
        'that their logs and traces record. Printed bills are a cache of the ledger, re-creatable at any time.',
    });

    const objects = this.bucket.arnForObjects('*');
    for (const fn of props.functions) {
      fn.addToRolePolicy(new PolicyStatement({ actions: ['s3:GetObject', 's3:PutObject'], resources: [objects] }));
      // Without ListBucket, S3 answers a missing key with 403 instead of 404 (NoSuchKey): the
      // first download of a bill could not tell "not printed yet" from "not allowed".
      fn.addToRolePolicy(new PolicyStatement({ actions: ['s3:ListBucket'], resources: [this.bucket.bucketArn] }));
      fn.addEnvironment(ENV.epdBucket, this.bucket.bucketName);
      Validations.of(fn.executionRole).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(this.bucket.node.defaultChild as CfnBucket)}.Arn>/*]`,
        reason:
          'Bills are named <period>/<account>-<state>.pdf and any account’s bill may be printed or served: the ' +
          'function may get and put objects of this one bucket, nothing else (no delete, no ACLs).',
      });
    }
  }
}
