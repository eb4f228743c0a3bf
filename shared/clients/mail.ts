import { randomUUID } from 'node:crypto';
import { SESClient, SendEmailCommand, SendRawEmailCommand } from '@aws-sdk/client-ses';
import { config } from '#shared/config';
import { logger } from '#shared/logger';
import { isSuppressed } from '#shared/mail/suppression';
import { tracer } from '#shared/tracer';

let client: SESClient | undefined;
let onceClient: SESClient | undefined;

function newClient(maxAttempts?: number): SESClient {
  const { sesEndpoint } = config();
  return tracer.captureAWSv3Client(
    new SESClient({
      ...(sesEndpoint
        ? {
            endpoint: sesEndpoint,
            region: 'eu-central-1',
            credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
          }
        : {}),
      ...(maxAttempts ? { maxAttempts } : {}),
    }),
  );
}

function ses(): SESClient {
  client ??= newClient();
  return client;
}

/**
 * Bulk mail is claimed before it is sent (one ЕПД per account and period): the SDK must not resend
 * on its own when an answer is lost after SES took the message, or the resident gets it twice. The
 * caller's claim, not a blind retry, decides whether a later run sends again.
 */
function sesOnce(): SESClient {
  onceClient ??= newClient(1);
  return onceClient;
}

const NEVER_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']);

/**
 * True when a failed send surely did not go out: SES answered with an error, or no connection to
 * it was ever made. A reset or a timeout after the request left may hide a delivered message.
 */
export function surelyNotSent(error: unknown): boolean {
  const e = error as { $metadata?: { httpStatusCode?: number }; code?: string; cause?: { code?: string } };
  if (typeof e?.$metadata?.httpStatusCode === 'number') return true;
  return NEVER_CONNECTED.has(e?.code ?? '') || NEVER_CONNECTED.has(e?.cause?.code ?? '');
}

/**
 * Transactional mail answers a resident's own action (links, notices, receipts, replies); bulk mail
 * goes to many on the centre's schedule (reminders, ЕПД, news). Each has its SES configuration set,
 * so a pause of the bulk stream (its bounce or complaint rate) never stops password mail, and bulk
 * mail carries List-Unsubscribe, which Gmail's and Yandex's bulk-sender rules require.
 */
export type MailStream = 'transactional' | 'bulk';

/**
 * A token bucket over this process's sends, at `sesSendRate` a second with a burst of one second's
 * worth: SES answers a send over the account's rate with Throttling ("Maximum sending rate
 * exceeded"), which would fail whole ЕПД batches. Each caller reserves a token, going into debt
 * when none is left, and waits until its token would have accrued; concurrent senders queue up.
 */
const bucket = { tokens: Number.NaN, at: 0 };

export async function paceSend(): Promise<void> {
  const rate = config().sesSendRate;
  const capacity = Math.max(1, rate);
  const at = Date.now();
  bucket.tokens = Number.isNaN(bucket.tokens)
    ? capacity
    : Math.min(capacity, bucket.tokens + ((at - bucket.at) * rate) / 1000);
  bucket.at = at;
  bucket.tokens -= 1;
  if (bucket.tokens < 0) await new Promise((r) => setTimeout(r, (-bucket.tokens * 1000) / rate));
}

export interface Mail {
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** Default `transactional`. */
  stream?: MailStream;
}

function configurationSet(stream: MailStream | undefined): { ConfigurationSetName?: string } {
  const { sesConfigSetTransactional, sesConfigSetBulk } = config();
  const name = stream === 'bulk' ? sesConfigSetBulk : sesConfigSetTransactional;
  return name ? { ConfigurationSetName: name } : {};
}

/**
 * RFC 2369 List-Unsubscribe for bulk mail: a mail to the centre, and the profile page where the
 * resident turns the subscription off. No List-Unsubscribe-Post (RFC 8058 one-click): it promises
 * an HTTPS address that unsubscribes on a bare POST, which the portal does not serve yet.
 */
export function unsubscribeHeaders(): string[] {
  const { supportEmail, publicUrl } = config();
  const mailto = `mailto:${supportEmail}?subject=${encodeURIComponent('Отписаться от рассылки')}`;
  return [`List-Unsubscribe: <${mailto}>, <${new URL('/profile', publicUrl).href}>`];
}

/** A suppressed address (shared/mail/suppression.ts) is skipped: SES would count it against us. */
async function skipSuppressed(to: string): Promise<boolean> {
  if (!(await isSuppressed(to))) return false;
  logger.info('Mail skipped: the address is suppressed');
  return true;
}

/**
 * Sends one mail through SES (the SES emulator locally). Addresses are never logged. Returns SES's
 * message id, or undefined when the address is suppressed and nothing was sent.
 */
export async function sendMail(mail: Mail): Promise<string | undefined> {
  if (await skipSuppressed(mail.to)) return undefined;
  // SES's SendEmail takes no custom headers: bulk mail (List-Unsubscribe) goes out raw.
  if (mail.stream === 'bulk') return sendRaw({ ...mail, attachments: [] });
  await paceSend();
  const out = await ses().send(
    new SendEmailCommand({
      ...configurationSet(mail.stream),
      Source: config().mailFrom,
      Destination: { ToAddresses: [mail.to] },
      Message: {
        Subject: { Data: mail.subject, Charset: 'UTF-8' },
        Body: {
          Text: { Data: mail.text, Charset: 'UTF-8' },
          ...(mail.html ? { Html: { Data: mail.html, Charset: 'UTF-8' } } : {}),
        },
      },
    }),
  );
  return out.MessageId;
}

export interface MailAttachment {
  /** ASCII file name (some clients mangle others). */
  filename: string;
  contentType: string;
  content: Uint8Array;
}

export interface RawMail extends Mail {
  attachments: MailAttachment[];
}

/** RFC 2047 encoded-word: a header value in UTF-8, base64, split so no encoded word exceeds 75 characters. */
function encodeHeader(value: string): string {
  if (/^[\x20-\x7e]*$/.test(value)) return value;
  const words: string[] = [];
  let chunk = '';
  for (const ch of value) {
    // 45 bytes of UTF-8 → 60 base64 characters, + 12 of `=?UTF-8?B?…?=`: under 75.
    if (Buffer.byteLength(chunk + ch, 'utf8') > 45) {
      words.push(chunk);
      chunk = '';
    }
    chunk += ch;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w, 'utf8').toString('base64')}?=`).join('\r\n ');
}

/** Base64 in lines of 76 characters, as MIME wants. */
function base64Lines(data: Uint8Array | string): string {
  return (
    Buffer.from(data)
      .toString('base64')
      .match(/.{1,76}/g) ?? []
  ).join('\r\n');
}

function headerSafe(value: string): string {
  if (/[\r\n]/.test(value)) throw new Error('A mail header value must not contain a line break');
  return value;
}

/**
 * The MIME message: a text part (and an HTML alternative, when given) followed by the attachments;
 * extra headers (List-Unsubscribe) go after Subject.
 */
export function mimeMessage(mail: RawMail, from: string, headers: readonly string[] = []): string {
  const mixed = `mixed-${randomUUID()}`;
  const alternative = `alt-${randomUUID()}`;
  const part = (contentType: string, body: string) =>
    `Content-Type: ${contentType}; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n${base64Lines(body)}`;
  const bodyPart = mail.html
    ? `Content-Type: multipart/alternative; boundary="${alternative}"\r\n\r\n` +
      `--${alternative}\r\n${part('text/plain', mail.text)}\r\n` +
      `--${alternative}\r\n${part('text/html', mail.html)}\r\n--${alternative}--`
    : part('text/plain', mail.text);
  const attachments = mail.attachments.map((a) => {
    const name = headerSafe(a.filename).replace(/"/g, '');
    return (
      `Content-Type: ${headerSafe(a.contentType)}; name="${name}"\r\n` +
      `Content-Disposition: attachment; filename="${name}"\r\n` +
      `Content-Transfer-Encoding: base64\r\n\r\n${base64Lines(a.content)}`
    );
  });
  return [
    `From: ${headerSafe(from)}`,
    `To: ${headerSafe(mail.to)}`,
    `Subject: ${encodeHeader(headerSafe(mail.subject))}`,
    ...headers.map(headerSafe),
    'MIME-Version: 1.0',
    `Content-Type: multipart/mixed; boundary="${mixed}"`,
    '',
    `--${mixed}`,
    bodyPart,
    ...attachments.map((a) => `--${mixed}\r\n${a}`),
    `--${mixed}--`,
    '',
  ].join('\r\n');
}

/**
 * Sends a mail with attachments (the ЕПД as PDF) through SES SendRawEmail: SES's SendEmail has no
 * attachments. Returns SES's message id. Addresses are never logged.
 */
export async function sendRawMail(mail: RawMail): Promise<string | undefined> {
  if (await skipSuppressed(mail.to)) return undefined;
  return sendRaw(mail);
}

async function sendRaw(mail: RawMail): Promise<string | undefined> {
  const from = config().mailFrom;
  const headers = mail.stream === 'bulk' ? unsubscribeHeaders() : [];
  await paceSend();
  const out = await (mail.stream === 'bulk' ? sesOnce() : ses()).send(
    new SendRawEmailCommand({
      ...configurationSet(mail.stream),
      Source: from,
      Destinations: [mail.to],
      RawMessage: { Data: Buffer.from(mimeMessage(mail, from, headers), 'utf8') },
    }),
  );
  return out.MessageId;
}

export function resetMailForTests(): void {
  bucket.tokens = Number.NaN;
  client?.destroy();
  client = undefined;
  onceClient?.destroy();
  onceClient = undefined;
}
