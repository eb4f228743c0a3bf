import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { FUNCTION_GROUPS, type FunctionGroupName } from '#shared/functions';

export type GroupHandler = (event: unknown, context: Context) => Promise<unknown>;

const ROOT = path.resolve(import.meta.dirname, '..');
const loaded = new Map<FunctionGroupName, Promise<GroupHandler>>();

/** Imports a group's entry module once, like a warm Lambda container. */
export function groupHandler(group: FunctionGroupName): Promise<GroupHandler> {
  let handler = loaded.get(group);
  if (!handler) {
    const entry = pathToFileURL(path.join(ROOT, FUNCTION_GROUPS[group].entry)).href;
    handler = import(entry).then((mod: { handler?: GroupHandler }) => {
      if (typeof mod.handler !== 'function') throw new Error(`${entry} does not export a handler`);
      return mod.handler;
    });
    loaded.set(group, handler);
  }
  return handler;
}

/** The parts of the Lambda context our code and Powertools read. */
export function lambdaContext(group: FunctionGroupName): Context {
  const deadline = Date.now() + FUNCTION_GROUPS[group].timeoutSeconds * 1000;
  const functionName = `rac-${group}`;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: String(FUNCTION_GROUPS[group].memoryMb),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export async function invokeGroup(group: FunctionGroupName, event: unknown): Promise<unknown> {
  const handler = await groupHandler(group);
  return handler(event, lambdaContext(group));
}
