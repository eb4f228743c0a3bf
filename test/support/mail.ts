import { inject } from 'vitest';

export interface StoredMail {
  messageId: string;
  destination: { to: string[] };
  subject: string;
  body: { text?: string; html?: string };
  at: number;
}

async function storedMail(sesEndpoint: string): Promise<StoredMail[]> {
  return ((await (await fetch(`${sesEndpoint}/store`)).json()) as { emails: StoredMail[] }).emails;
}

/**
 * This test file's mailbox view. A run's files share one SES emulator and run in random order;
 * the mail it already held when this file was loaded (vitest loads this module once per file)
 * is other files' and never shows here. Read at load (top-level await), before any test sends.
 */
// Outside vitest (`npm run bench` registers a resident with mailedToken) there is no run to inject.
const runEndpoint: string | undefined = process.env.VITEST ? inject('sesEndpoint') : undefined;
const otherFilesMail: ReadonlySet<string> = runEndpoint
  ? new Set((await storedMail(runEndpoint).catch(() => [])).map((m) => m.messageId))
  : new Set();

/** Mails the SES emulator holds for an address, oldest first; of the run's emulator, this file's only. */
export async function mailsTo(address: string, sesEndpoint = inject('sesEndpoint')): Promise<StoredMail[]> {
  const own = sesEndpoint === runEndpoint ? (m: StoredMail) => !otherFilesMail.has(m.messageId) : () => true;
  return (await storedMail(sesEndpoint)).filter((e) => e.destination.to.includes(address) && own(e));
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
