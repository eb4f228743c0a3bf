import type { TestProject } from 'vitest/node';
import { startDynamo } from '#local/dynamo';
import { onFreePort } from '#local/ports';
import { startSes } from '#local/ses';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
    sesEndpoint: string;
  }
}

/**
 * Starts DynamoDB Local (in memory) and the SES emulator on free ports, once per test run, so
 * runs never share state and never collide with a running `npm start`.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dynamo = await onFreePort((port) => startDynamo({ port }));
  const ses = await onFreePort((port) => startSes({ port }));
  project.provide('dynamoEndpoint', dynamo.endpoint);
  project.provide('sesEndpoint', ses.endpoint);
  return async () => {
    await ses.stop();
    await dynamo.stop();
  };
}
