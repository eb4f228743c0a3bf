/**
 * The S3 client and the commands shared/epd/files.ts uses. It imports this module lazily (most
 * cold starts never touch the bucket); a dynamic `import('@aws-sdk/client-s3')` itself would be a
 * namespace, which esbuild cannot tree-shake, and would bundle all ~100 commands of the SDK with
 * their schemas. Named imports of a package with `sideEffects: false` keep only these.
 */
export { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
