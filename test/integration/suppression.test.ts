import type { SQSBatchResponse } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invokeGroup } from '#local/lambda';
import { sqsEvent } from '#local/queue';
import { mimeMessage, sendMail, unsubscribeHeaders } from '#shared/clients/mail';
import { isSuppressed } from '#shared/mail/suppression';
import { importRegistry } from '#shared/registry/importRegistry';
import { type Client, startTestGateway } from '#test/support/http';
import { mailsTo } from '#test/support/mail';
import { registeredResident } from '#test/support/residents';

// SES event publishing's shapes, as the docs show them:
// https://docs.aws.amazon.com/ses/latest/dg/event-publishing-retrieving-sns-examples.html
function bounce(address: string, bounceType: 'Permanent' | 'Transient') {
  return {
    eventType: 'Bounce',
    bounce: {
      bounceType,
      bounceSubType: bounceType === 'Permanent' ? 'General' : 'MailboxFull',
      bouncedRecipients: [{ emailAddress: address, action: 'failed', status: '5.1.1' }],
      timestamp: '2026-11-20T09:00:00.000Z',
      feedbackId: 'feedback-1',
    },
    mail: { messageId: 'ses-message-1', timestamp: '2026-11-20T08:59:58.000Z', destination: [address] },
  };
}

function complaintInSnsEnvelope(address: string) {
  const event = {
    eventType: 'Complaint',
    complaint: { complainedRecipients: [{ emailAddress: address }], complaintFeedbackType: 'abuse' },
    mail: { messageId: 'ses-message-2', destination: [address] },
  };
  return {
    Type: 'Notification',
    MessageId: 'sns-1',
    TopicArn: 'arn:aws:sns:eu-central-1:1:Events',
    Message: JSON.stringify(event),
  };
}

/** Delivers one message of the mail events queue to its consumer, as the event source mapping would. */
async function deliver(body: unknown): Promise<SQSBatchResponse> {
  const event = sqsEvent('mailEvents', {
    queue: 'mailEvents',
    body: JSON.stringify(body),
    messageId: `m-${Math.random()}`,
    receiveCount: 1,
  });
  return (await invokeGroup('readingMail', event)) as SQSBatchResponse;
}

let client: Client;

beforeAll(async () => {
  ({ client } = await startTestGateway());
  const report = await importRegistry(
    'accounts',
    Buffer.from(
      [
        'account;owner;passport;address;area;residents',
        '290001;Орлова Нина Павловна;1411 290001;г. Старый Оскол, мкр. Жукова, д. 29, кв. 1;44,0;2',
      ].join('\n'),
    ),
  );
  expect(report.errors).toEqual([]);
});
afterAll(() => client.stop());

describe('bounces and complaints suppress the address', () => {
  it('a permanent bounce shows in the profile, and mail to the address is skipped from then on', async () => {
    const email = 'orlova-bounces@example.ru';
    const browser = await registeredResident(client, '290001', '1411 290001', email);
    expect((await browser.request('GET', '/api/profile')).json.emailUndeliverable).toBeNull();

    // Delivered twice, as SNS and SQS may: the same item, no failure.
    expect(await deliver(bounce(email, 'Permanent'))).toEqual({ batchItemFailures: [] });
    expect(await deliver(bounce(email.toUpperCase(), 'Permanent'))).toEqual({ batchItemFailures: [] });

    const profile = (await browser.request('GET', '/api/profile')).json;
    expect(profile.emailUndeliverable).toMatchObject({ reason: 'bounce' });
    expect(Date.parse(profile.emailUndeliverable.since)).not.toBeNaN();

    const before = (await mailsTo(email)).length;
    expect(
      await sendMail({ to: email, subject: 'Напоминание', text: 'Передайте показания', stream: 'bulk' }),
    ).toBeUndefined();
    expect(await sendMail({ to: email, subject: 'Ссылка', text: 'Ссылка для входа' })).toBeUndefined();
    expect(await mailsTo(email)).toHaveLength(before);
  });

  it('a transient bounce (a full mailbox) suppresses nothing', async () => {
    const email = 'full-mailbox@example.ru';
    expect(await deliver(bounce(email, 'Transient'))).toEqual({ batchItemFailures: [] });
    expect(await isSuppressed(email)).toBe(false);
    expect(await sendMail({ to: email, subject: 'Проверка', text: 'Доставлено' })).toBeTypeOf('string');
    expect(await mailsTo(email)).toHaveLength(1);
  });

  it('a complaint in SNS’s envelope (without raw delivery) suppresses too', async () => {
    const email = 'complains@example.ru';
    expect(await deliver(complaintInSnsEnvelope(email))).toEqual({ batchItemFailures: [] });
    expect(await isSuppressed(email)).toBe(true);
  });

  it('a malformed event fails alone and is retried, changing nothing', async () => {
    const res = await deliver({ eventType: 'Bounce', bounce: { bounceType: 'Permanent' } });
    expect(res.batchItemFailures).toHaveLength(1);
  });
});

describe('bulk mail', () => {
  it('goes out raw with List-Unsubscribe (mail to the centre and the profile page)', async () => {
    const email = `bulk-${Date.now()}@example.ru`;
    expect(
      await sendMail({ to: email, subject: 'Приём показаний открыт', text: 'Передайте показания', stream: 'bulk' }),
    ).toBeTypeOf('string');
    const [mail] = await mailsTo(email);
    expect(mail?.subject).toBe('Приём показаний открыт');
    expect(mail?.body.text).toContain('Передайте показания');

    // The emulator keeps no headers: the message as SES receives it.
    const raw = mimeMessage(
      { to: email, subject: 'x', text: 'y', attachments: [] },
      'noreply@rac-oskol.ru',
      unsubscribeHeaders(),
    );
    expect(raw).toMatch(/\r\nList-Unsubscribe: <mailto:support@[^?>]+\?subject=[^>]+>, <http[^>]+\/profile>\r\n/);
  });
});
