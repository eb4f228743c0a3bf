import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { db, tableName } from '#shared/clients/dynamo';
import { config } from '#shared/config';
import { keys } from '#shared/keys';
import { now } from '#shared/time';
import { type StoredWindowState, type WindowStatus, windowStatus } from '#shared/window/readingWindow';

export async function readStoredWindow(): Promise<StoredWindowState | undefined> {
  const out = await db().send(new GetCommand({ TableName: tableName(), Key: keys.windowState() }));
  if (!out.Item) return undefined;
  const { open, changedAt, source } = out.Item as StoredWindowState;
  return { open, changedAt, source };
}

export async function setWindow(open: boolean, source: StoredWindowState['source']): Promise<WindowStatus> {
  const state: StoredWindowState = { open, changedAt: now().toISOString(), source };
  await db().send(new PutCommand({ TableName: tableName(), Item: { ...keys.windowState(), ...state } }));
  return currentWindow(state);
}

export async function currentWindow(stored?: StoredWindowState): Promise<WindowStatus> {
  const { windowOpenDay, windowCloseDay } = config();
  return windowStatus(
    now(),
    { openDay: windowOpenDay, closeDay: windowCloseDay },
    stored ?? (await readStoredWindow()),
  );
}
