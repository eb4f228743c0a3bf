import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { alive, claimsOf, requireSession, type Session, withCurrent } from '#shared/accounts/sessions';
import { sessionRecordOf } from '#shared/accounts/store';
import { DomainError } from '#shared/errors';
import { type MeterReadings, meterReadingsOf } from '#shared/readings/store';

/** The route whose session check and data read are one request. */
const SUBMISSION = 'POST /api/readings';

const reads = new WeakMap<APIGatewayProxyEventV2, MeterReadings>();

/**
 * The `readings` group's session check. A submission needs a strongly consistent read of the
 * account's meters and readings anyway, and the session item sorts right after them in the
 * account's partition (keys.ts): one Query checks the session and reads the data, so a submission
 * is two requests (this one and its transaction; the session's idle-timeout refresh, at most once a
 * minute, a third). The pages keep the session's GetItem and an eventually consistent query, which
 * reads at half the capacity.
 */
export async function authenticateReadings(event: APIGatewayProxyEventV2): Promise<Session> {
  if (event.routeKey !== SUBMISSION) return requireSession(event);
  const session = await claimsOf(event);
  if (!session) throw DomainError.of('unauthorized');
  const snapshot = await meterReadingsOf(session.account, { throughSession: session.sessionId });
  const record = sessionRecordOf(snapshot.session);
  if (!(await alive(session, record))) throw DomainError.of('unauthorized');
  const checked = withCurrent(session, record);
  // Switched to a linked account (accounts/links.ts): the query read the cabinet's own account, so
  // the submission reads the linked one's meters itself (one request more, only then).
  if (checked.current === session.account) reads.set(event, snapshot);
  return checked;
}

/** What the session check of this request read (the same event object), if it read the readings. */
export function meterReadingsRead(event: APIGatewayProxyEventV2): MeterReadings | undefined {
  return reads.get(event);
}
