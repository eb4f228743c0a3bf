import { inject } from 'vitest';

export interface StoredMail {
  messageId: string;
  destination: { to: string[] };
  subject: string;
  body: { text?: string; html?: string };
  at: number;
}

/** Mails the SES emulator holds for an address, oldest first. */
export async function mailsTo(address: string, sesEndpoint = inject('sesEndpoint')): Promise<StoredMail[]> {
  const store = (await (await fetch(`${sesEndpoint}/store`)).json()) as { emails: StoredMail[] };
  return store.emails.filter((e) => e.destination.to.includes(address));
}

/** The token of the newest mailed link to `path` (e.g. `/confirm`) for the address. */
export async function mailedToken(address: string, path: string): Promise<string> {
  const mails = await mailsTo(address);
  const re = new RegExp(`${path.replace('/', '\\/')}\\?token=([A-Za-z0-9_-]+)`);
  for (const mail of mails.reverse()) {
    const match = re.exec(mail.body.text ?? '');
    if (match?.[1]) return match[1];
  }
  throw new Error(`No mail with a ${path} link for ${address}`);
}
