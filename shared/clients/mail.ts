import { randomUUID } from 'node:crypto';
import { SESClient, SendEmailCommand, SendRawEmailCommand } from '@aws-sdk/client-ses';
import { config } from '#shared/config';

let client: SESClient | undefined;

function ses(): SESClient {
  if (!client) {
    const { sesEndpoint } = config();
    client = new SESClient(
      sesEndpoint
        ? {
            endpoint: sesEndpoint,
            region: 'eu-central-1',
            credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
          }
        : {},
    );
  }
  return client;
}

export interface Mail {
  to: string;
  subject: string;
  text: string;
  html?: string;
}

/** Sends one mail through SES (the SES emulator locally). Addresses are never logged. */
export async function sendMail(mail: Mail): Promise<string | undefined> {
  const out = await ses().send(
    new SendEmailCommand({
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

/** The MIME message: a text part (and an HTML alternative, when given) followed by the attachments. */
export function mimeMessage(mail: RawMail, from: string): string {
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
  const from = config().mailFrom;
  const out = await ses().send(
    new SendRawEmailCommand({
      Source: from,
      Destinations: [mail.to],
      RawMessage: { Data: Buffer.from(mimeMessage(mail, from), 'utf8') },
    }),
  );
  return out.MessageId;
}

export function resetMailForTests(): void {
  client?.destroy();
  client = undefined;
}
