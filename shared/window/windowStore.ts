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
  // This container sees its own change at once; others within WINDOW_CACHE_MS.
  cache = { state, readAt: Date.now() };
  return currentWindow(state);
}

/**
 * How long a container trusts its copy of the stored window state. Every submission and every
 * meters page needs the window; on the last evening that is thousands of reads a minute of one
 * item (one partition), so each container reads it at most once per 30 s. An operator's
 * `window open|close` therefore takes effect within 30 s; the calendar's own opening and closing
 * are computed from the clock on every request and are exact.
 */
export const WINDOW_CACHE_MS = 30_000;

let cache: { state: StoredWindowState | undefined; readAt: number } | undefined;

/** The window as residents see it, from a stored state at most WINDOW_CACHE_MS old. */
export async function cachedWindow(): Promise<WindowStatus> {
  // Wall-clock age: RAC_NOW pins the domain clock, not how old this copy is.
  if (!cache || Date.now() - cache.readAt >= WINDOW_CACHE_MS) {
    cache = { state: await readStoredWindow(), readAt: Date.now() };
  }
  return statusNow(cache.state);
}

export function resetWindowCacheForTests(): void {
  cache = undefined;
}

/** The window from the stored state as it is now (the jobs and the operator's CLI: never cached). */
export async function currentWindow(stored?: StoredWindowState): Promise<WindowStatus> {
  return statusNow(stored ?? (await readStoredWindow()));
}

/** The window at the (possibly pinned) current instant, by the configured calendar days. */
function statusNow(stored: StoredWindowState | undefined): WindowStatus {
  const { windowOpenDay, windowCloseDay } = config();
  return windowStatus(now(), { openDay: windowOpenDay, closeDay: windowCloseDay }, stored);
}
