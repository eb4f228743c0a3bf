import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
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

export function resetMailForTests(): void {
  client?.destroy();
  client = undefined;
}
