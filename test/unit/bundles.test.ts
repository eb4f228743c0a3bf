import path from 'node:path';
import { build, type Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { esbuildOptionsOf } from '#shared/bundling';
import { FUNCTION_GROUP_NAMES, FUNCTION_GROUPS, type FunctionGroup, type FunctionGroupName } from '#shared/functions';

const built = new Map<FunctionGroupName, Promise<Metafile>>();

/** A group's bundle, built as the stack builds it (issue 13: what each cold start parses). */
function bundleOf(group: FunctionGroupName): Promise<Metafile> {
  let metafile = built.get(group);
  if (!metafile) {
    metafile = buildMetafile(group);
    built.set(group, metafile);
  }
  return metafile;
}

/** The modules a group's bundle reads. */
async function bundleInputs(group: FunctionGroupName): Promise<string[]> {
  return Object.keys((await bundleOf(group)).inputs);
}

async function buildMetafile(group: FunctionGroupName): Promise<Metafile> {
  const definition: FunctionGroup = FUNCTION_GROUPS[group];
  const result = await build({
    entryPoints: [path.resolve(definition.entry)],
    ...esbuildOptionsOf(definition),
    // Readable: the tests look at inputs and bytes, not at minified code.
    minify: false,
    outfile: `bundle-${group}.mjs`,
    write: false,
    metafile: true,
    logLevel: 'error',
  });
  return result.metafile;
}

const carries = (inputs: string[], pkg: string) => inputs.some((input) => input.includes(`node_modules/${pkg}/`));

const traces = (group: FunctionGroupName) => (FUNCTION_GROUPS[group] as FunctionGroup).traceAwsCalls === true;
const apiGroups = FUNCTION_GROUP_NAMES.filter((group) => group !== 'system' && !traces(group));

describe('function bundles carry only what their group runs', () => {
  it.each(apiGroups)('%s: its own route table, not the merged one (no other group’s schemas)', async (group) => {
    const inputs = await bundleInputs(group);
    expect(inputs.some((input) => input.endsWith(`shared/api/groups/${group}.ts`))).toBe(true);
    expect(inputs.filter((input) => input.endsWith('shared/routes.ts'))).toEqual([]);
  });

  it.each(FUNCTION_GROUP_NAMES)('%s: the X-Ray SDK only where AWS calls are traced; never puppeteer', async (group) => {
    const inputs = await bundleInputs(group);
    const xray = inputs.some((input) => input.includes('node_modules/aws-xray-sdk-core/'));
    expect(xray).toBe(traces(group));
    expect(inputs.filter((input) => input.includes('node_modules/puppeteer-core/'))).toEqual([]);
  });

  // The CSV reader (shared/registry/csv.ts) decodes Windows-1251 with iconv-lite (~0.5 MB): only the
  // CLI imports files; the billing run reads the key rates through shared/billing/keyRates.ts.
  it.each(FUNCTION_GROUP_NAMES)('%s: no CSV reader (iconv-lite, csv-parse): imports are the CLI’s', async (group) => {
    const inputs = await bundleInputs(group);
    expect(inputs.filter((input) => input.endsWith('shared/registry/csv.ts'))).toEqual([]);
    expect(carries(inputs, 'iconv-lite')).toBe(false);
    expect(carries(inputs, 'csv-parse')).toBe(false);
  });

  it('billing and epdIssue read the key rates without the key-rate import', async () => {
    for (const group of ['billing', 'epdIssue'] as const) {
      const inputs = await bundleInputs(group);
      expect(inputs.some((input) => input.endsWith('shared/billing/keyRates.ts'))).toBe(true);
      expect(inputs.filter((input) => input.endsWith('shared/billing/keyRatesImport.ts'))).toEqual([]);
    }
  });

  // The QR encoder draws the bill's code; the cabinet home (residents) only shows the bill's figures,
  // so shared/epd/model.ts builds the payload from shared/epd/qrPayload.ts, not shared/epd/qr.ts.
  it.each(FUNCTION_GROUP_NAMES)('%s: the QR encoder (qrcode) only where bills are printed', async (group) => {
    const inputs = await bundleInputs(group);
    expect(carries(inputs, 'qrcode')).toBe(group === 'epd' || group === 'epdIssue');
  });

  // The bucket's two object requests are signed with aws4fetch (shared/epd/files.ts): the SDK's S3
  // client (~186 KiB with its checksums, XML and S3 middleware) was ~15 ms of every ЕПД cold start.
  it.each(FUNCTION_GROUP_NAMES)('%s: no AWS SDK S3 client', async (group) => {
    expect(carries(await bundleInputs(group), '@aws-sdk/client-s3')).toBe(false);
  });

  // Lambda gives a function its role's credentials in the environment; the SDK's default chain
  // (shared config files, SSO, web identity, instance metadata and their nested clients) was
  // ~130 KiB of every cold start. shared/clients/lambdaCredentials.ts stands in for it.
  it.each(FUNCTION_GROUP_NAMES)(
    '%s: the environment credential provider, not the SDK’s default chain',
    async (group) => {
      const inputs = await bundleInputs(group);
      expect(inputs).toContain('shared/clients/lambdaCredentials.ts');
      expect(carries(inputs, '@aws-sdk/credential-provider-env')).toBe(true);
      for (const chained of [
        '@aws-sdk/credential-provider-node',
        '@aws-sdk/credential-provider-ini',
        '@aws-sdk/credential-provider-sso',
        '@aws-sdk/credential-provider-web-identity',
        '@aws-sdk/credential-provider-process',
        '@aws-sdk/nested-clients',
        '@smithy/credential-provider-imds',
      ]) {
        expect(carries(inputs, chained), chained).toBe(false);
      }
    },
  );

  // Classic zod (~105 KiB, every schema type's methods installed at load) was the largest single
  // part of an API function's cold start; the schemas are written with zod/mini (biome.json
  // forbids importing classic `zod` in shared/ and functions/).
  it.each(FUNCTION_GROUP_NAMES)('%s: zod/mini only, no classic zod', async (group) => {
    const inputs = await bundleInputs(group);
    expect(inputs.filter((input) => input.includes('node_modules/zod/v4/classic/'))).toEqual([]);
  });
});
