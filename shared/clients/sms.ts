import { createRequire } from 'node:module';
import { config } from '#shared/config';

/**
 * Text messages to residents' phones (codes only): one small interface, two implementations.
 * Deployed, AWS End User Messaging SMS (`SendTextMessage` of pinpoint-sms-voice-v2) from the
 * stage's origination identity (infra/stages.ts); in the local runtime, an in-memory sandbox that
 * `npm start` serves at `/sandbox-sms/` (local/sandboxSms.ts) and tests read.
 *
 * The AWS client is loaded on the first message, from the Lambda runtime's own SDK (it is left out
 * of the bundles: shared/bundling.ts): ~0.1 MB that no cold start parses, texting or not.
 */
export interface SmsMessage {
  /** E.164, `+7XXXXXXXXXX` (shared/accounts/phoneNumber.ts). */
  to: string;
  text: string;
}

export interface SmsClient {
  send: (message: SmsMessage) => Promise<void>;
}

/** A message the local sandbox holds, as `GET /sandbox-sms/messages` lists it. */
export interface SandboxSms extends SmsMessage {
  sentAt: string;
}

/**
 * The sandbox's outbox, kept on globalThis: the gateway's page and the handlers it invokes run in
 * one process but may reach this module through different loaders (tsx, vitest), and must share it.
 */
const OUTBOX = Symbol.for('rac.sandboxSms');
type Holder = { [OUTBOX]?: SandboxSms[] };

/** Every message the local sandbox has "sent", oldest first (at most the last 500). */
export function sandboxOutbox(): SandboxSms[] {
  const holder = globalThis as Holder;
  holder[OUTBOX] ??= [];
  return holder[OUTBOX];
}

const sandboxClient: SmsClient = {
  send: async (message) => {
    const outbox = sandboxOutbox();
    outbox.push({ ...message, sentAt: new Date().toISOString() });
    if (outbox.length > 500) outbox.splice(0, outbox.length - 500);
  },
};

let client: Promise<SmsClient> | undefined;

async function awsClient(): Promise<SmsClient> {
  // From the Lambda runtime's SDK, not the bundle (shared/bundling.ts RUNTIME_SDK_CLIENTS): `require`
  // searches NODE_PATH, where the runtime keeps it; an ES module `import` would not.
  const { PinpointSMSVoiceV2Client, SendTextMessageCommand } = createRequire(import.meta.url)(
    '@aws-sdk/client-pinpoint-sms-voice-v2',
  ) as typeof import('@aws-sdk/client-pinpoint-sms-voice-v2');
  const { smsOriginationIdentity, smsConfigurationSet } = config();
  if (!smsOriginationIdentity) throw new Error('RAC_SMS_ORIGINATION_IDENTITY is required to send SMS');
  // One attempt: a lost answer after the message left must not text the resident the code twice;
  // the resident asks again, within the limits.
  const sms = new PinpointSMSVoiceV2Client({ maxAttempts: 1 });
  return {
    send: async ({ to, text }) => {
      await sms.send(
        new SendTextMessageCommand({
          DestinationPhoneNumber: to,
          OriginationIdentity: smsOriginationIdentity,
          MessageBody: text,
          // Transactional: delivered ahead of promotional traffic and allowed at night.
          MessageType: 'TRANSACTIONAL',
          ...(smsConfigurationSet ? { ConfigurationSetName: smsConfigurationSet } : {}),
          // A code is worth nothing after its 10 minutes: the carrier may drop it after that.
          TimeToLive: 600,
        }),
      );
    },
  };
}

function smsClient(): Promise<SmsClient> {
  client ??= (config().runtime === 'aws' ? awsClient() : Promise.resolve(sandboxClient)).catch((error: unknown) => {
    client = undefined;
    throw error;
  });
  return client;
}

/** Sends one text message. */
export async function sendSms(message: SmsMessage): Promise<void> {
  await (await smsClient()).send(message);
}

/** Tests switch runtimes between cases; this forgets the chosen implementation. */
export function resetSmsForTests(): void {
  client = undefined;
}
