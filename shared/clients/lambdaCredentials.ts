import { fromEnv } from '@aws-sdk/credential-provider-env';

/**
 * The AWS SDK's default credential provider, as the function bundles carry it (issue 13, cold
 * start). Every SDK client imports `defaultProvider` from `@aws-sdk/credential-provider-node`
 * statically, even when given credentials, and that chain brings the shared-config file reader,
 * SSO, the login and token providers, web identity, the process and container providers, instance
 * metadata and the nested STS/SSO/sign-in clients: ~130 KiB that every cold start parsed (a bare
 * handler's import: 40 ms of CPU less; its whole cold request, import and first call: 16 ms less),
 * for credentials Lambda always puts in the environment of the function (AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN: the execution role's).
 *
 * `shared/bundling.ts` aliases that package to this module in the function bundles only (the stack
 * and `npm run bench` alike); the CLI, the local runtime and the tests run the SDK's own chain.
 * The environment provider is the first link of the SDK's chain, so inside Lambda the result is the
 * same: credentials from the environment, refreshed by a new execution environment. Anywhere without
 * them (a bundle run outside Lambda) the first AWS call fails with the provider's own error,
 * «Unable to find environment variable credentials.», instead of searching files and metadata
 * endpoints.
 */
export const defaultProvider: typeof fromEnv = (init) => fromEnv(init);
