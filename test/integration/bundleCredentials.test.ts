import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { esbuildOptionsOf } from '#shared/bundling';
import { ENV } from '#shared/env';
import { FUNCTION_GROUPS } from '#shared/functions';
import { readStoredWindow, setWindow } from '#shared/window/windowStore';

/**
 * A function bundle as the stack deploys it signs its AWS calls with the credentials Lambda puts in
 * the environment (shared/clients/lambdaCredentials.ts stands in for the SDK's default chain): the
 * `window` group's bundle, run in a fresh process configured as in AWS (no local endpoint or
 * credentials of ours; DynamoDB reached through the SDK's own AWS_ENDPOINT_URL_DYNAMODB).
 */

let dir: string;
let home: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'rac-bundle-'));
  await build({
    entryPoints: [path.resolve(FUNCTION_GROUPS.window.entry)],
    ...esbuildOptionsOf(FUNCTION_GROUPS.window),
    outfile: path.join(dir, 'index.mjs'),
    logLevel: 'error',
  });
  writeFileSync(
    path.join(dir, 'run.mjs'),
    `const { handler } = await import(${JSON.stringify(path.join(dir, 'index.mjs'))});
try {
  await handler({ job: process.env.JOB }, { awsRequestId: 'bundle-test', getRemainingTimeInMillis: () => 5000 });
  console.log(JSON.stringify({ ok: true }));
} catch (error) {
  console.log(JSON.stringify({ ok: false, message: error.message }));
}`,
  );
  // A home with a shared credentials file: the SDK's default chain would take it, the bundle must not.
  home = path.join(dir, 'home');
  mkdirSync(path.join(home, '.aws'), { recursive: true });
  writeFileSync(
    path.join(home, '.aws', 'credentials'),
    '[default]\naws_access_key_id = FROMFILE\naws_secret_access_key = fromfile\n',
  );
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runJob(job: string, credentials: Record<string, string>): { ok: boolean; message?: string } {
  const run = spawnSync(process.execPath, [path.join(dir, 'run.mjs')], {
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      HOME: home,
      JOB: job,
      [ENV.runtime]: 'aws',
      [ENV.table]: process.env[ENV.table],
      AWS_REGION: 'eu-central-1',
      AWS_ENDPOINT_URL_DYNAMODB: process.env[ENV.dynamoEndpoint],
      POWERTOOLS_TRACE_ENABLED: 'false',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      ...credentials,
    },
  });
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout.trim().split('\n').at(-1) as string);
}

describe('a deployed bundle’s AWS credentials', () => {
  it('are the environment’s, as Lambda sets them: the job writes through DynamoDB', async () => {
    await setWindow(false, 'operator');
    const result = runJob('window.open', {
      AWS_ACCESS_KEY_ID: 'ASIAEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_SESSION_TOKEN: 'token',
    });
    expect(result).toEqual({ ok: true });
    expect(await readStoredWindow()).toMatchObject({ open: true, source: 'schedule' });
  });

  it('are never looked for elsewhere: without them the first call fails, naming the environment', async () => {
    await setWindow(false, 'operator');
    const result = runJob('window.open', {});
    expect(result).toEqual({ ok: false, message: 'Unable to find environment variable credentials.' });
    // Nothing was written with the shared file's credentials either.
    expect(await readStoredWindow()).toMatchObject({ open: false, source: 'operator' });
  });
});
