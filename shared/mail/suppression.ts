import { createHash } from 'node:crypto';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { lazySchema } from '#shared/api/lazySchema';
import { db, tableName } from '#shared/clients/dynamo';
import { keys } from '#shared/keys';
import { logger } from '#shared/logger';
import { now } from '#shared/time';

/**
 * Addresses SES reported as undeliverable (a permanent bounce) or as complaining (the recipient
 * pressed «Спам»). Mailing them again hurts the sender's reputation, and past SES's thresholds
 * (bounces 10 %, complaints 0.5 %) AWS pauses sending for the whole account, so every send skips
 * them (shared/clients/mail.ts) and the profile tells the resident why mail stopped.
 *
 * The item is keyed by the SHA-256 of the lower-cased address and holds no address: the table
 * learns nothing about a person it did not already hold in the cabinet.
 */
export type SuppressionReason = 'bounce' | 'complaint';

export interface Suppression {
  reason: SuppressionReason;
  at: string;
}

export function addressHash(address: string): string {
  return createHash('sha256').update(address.trim().toLowerCase(), 'utf8').digest('hex');
}

export async function suppressionOf(address: string): Promise<Suppression | null> {
  const out = await db().send(
    new GetCommand({ TableName: tableName(), Key: keys.suppressedAddress(addressHash(address)) }),
  );
  if (!out.Item) return null;
  return { reason: out.Item.reason as SuppressionReason, at: String(out.Item.at) };
}

export async function isSuppressed(address: string): Promise<boolean> {
  return (await suppressionOf(address)) !== null;
}

/** Records one address; a repeated event (SNS and SQS deliver at least once) rewrites the same item. */
export async function suppress(address: string, reason: SuppressionReason): Promise<void> {
  await db().send(
    new PutCommand({
      TableName: tableName(),
      Item: {
        ...keys.suppressedAddress(addressHash(address)),
        type: 'suppressedAddress',
        reason,
        at: now().toISOString(),
      },
    }),
  );
}

const Recipients = /* @__PURE__ */ lazySchema(() =>
  z.array(z.looseObject({ emailAddress: z.string().check(z.minLength(1)) })),
);

/**
 * SES event publishing (a configuration set's event destination) and the older identity
 * notifications name the kind differently (`eventType` vs `notificationType`) but share the rest.
 * https://docs.aws.amazon.com/ses/latest/dg/event-publishing-retrieving-sns-contents.html
 */
const SesEvent = /* @__PURE__ */ lazySchema(() =>
  z.looseObject({
    eventType: z.optional(z.string()),
    notificationType: z.optional(z.string()),
    bounce: z.optional(z.looseObject({ bounceType: z.string(), bouncedRecipients: Recipients })),
    complaint: z.optional(z.looseObject({ complainedRecipients: Recipients })),
    mail: z.looseObject({ messageId: z.optional(z.string()) }),
  }),
);

/** An SNS notification as SQS receives it without raw message delivery: the event is in `Message`. */
const SnsEnvelope = /* @__PURE__ */ lazySchema(() =>
  z.looseObject({ Type: z.literal('Notification'), Message: z.string() }),
);

/** True for a queue message carrying an SES event, with or without SNS's envelope. */
export function isSesEventMessage(body: unknown): boolean {
  if (SnsEnvelope.safeParse(body).success) return true;
  const event = SesEvent.safeParse(body);
  return event.success && Boolean(event.data.eventType ?? event.data.notificationType);
}

/**
 * Suppresses the addresses of one SES event: every recipient of a permanent bounce (a transient
 * one — a full mailbox, a greylisting server — is SES's to retry) and every complaining one.
 * Other events (delivery, send, reject) change nothing. Returns how many addresses it recorded.
 */
export async function handleSesEvent(body: unknown): Promise<number> {
  const envelope = SnsEnvelope.safeParse(body);
  const event = SesEvent.parse(envelope.success ? JSON.parse(envelope.data.Message) : body);
  const kind = event.eventType ?? event.notificationType;
  const addresses: Array<[string, SuppressionReason]> = [];
  if (kind === 'Bounce' && event.bounce?.bounceType === 'Permanent') {
    for (const r of event.bounce.bouncedRecipients) addresses.push([r.emailAddress, 'bounce']);
  } else if (kind === 'Complaint' && event.complaint) {
    for (const r of event.complaint.complainedRecipients) addresses.push([r.emailAddress, 'complaint']);
  }
  for (const [address, reason] of addresses) await suppress(address, reason);
  // The message id and the kind only: the addresses are personal data.
  logger.info('SES event handled', { kind, messageId: event.mail.messageId, suppressed: addresses.length });
  return addresses.length;
}
