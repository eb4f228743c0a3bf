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

/**
 * The token of the newest mailed link to `path` (e.g. `/confirm`) for the address. Waits up to ten
 * seconds for the mail, for a runtime in another process that sends it a moment later.
 */
export async function mailedToken(address: string, path: string, sesEndpoint = inject('sesEndpoint')): Promise<string> {
  const re = new RegExp(`${path.replace('/', '\\/')}\\?token=([A-Za-z0-9_-]+)`);
  for (let attempt = 0; attempt < 40; attempt++) {
    for (const mail of (await mailsTo(address, sesEndpoint)).reverse()) {
      const match = re.exec(mail.body.text ?? '');
      if (match?.[1]) return match[1];
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`No mail with a ${path} link for ${address}`);
}
