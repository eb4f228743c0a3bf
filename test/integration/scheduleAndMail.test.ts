import { describe, expect, inject, it } from 'vitest';
import { invokeGroup } from '#local/lambda';
import { sendMail } from '#shared/clients/mail';
import { scheduleDefinitions } from '#shared/schedules';
import { readStoredWindow } from '#shared/window/windowStore';

describe('scheduled jobs through the group handler', () => {
  it('the window jobs store the state the schedules mean', async () => {
    const [open, close] = scheduleDefinitions({ windowOpenDay: 25, windowCloseDay: 1 });
    await invokeGroup('window', { job: open?.job });
    expect(await readStoredWindow()).toMatchObject({ open: true, source: 'schedule' });
    await invokeGroup('window', { job: close?.job });
    expect(await readStoredWindow()).toMatchObject({ open: false, source: 'schedule' });
  });

  it('an unknown job fails so the scheduler retries and alarms', async () => {
    await expect(invokeGroup('window', { job: 'window.nope' })).rejects.toThrow(/Unknown job/);
  });
});

describe('mail through the SES emulator', () => {
  it('arrives in the emulator store with its Cyrillic subject intact', async () => {
    const to = `resident-${Date.now()}@example.ru`;
    await sendMail({ to, subject: 'Проверка почты РАЦ', text: 'Здравствуйте!' });
    const store = (await (await fetch(`${inject('sesEndpoint')}/store`)).json()) as {
      emails: Array<{ destination: { to: string[] }; subject: string; body: { text: string } }>;
    };
    const mail = store.emails.find((e) => e.destination.to.includes(to));
    expect(mail?.subject).toBe('Проверка почты РАЦ');
    expect(mail?.body.text).toContain('Здравствуйте');
  });
});
