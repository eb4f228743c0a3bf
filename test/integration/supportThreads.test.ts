import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeCabinet } from '#shared/accounts/closing';
import { cabinetIdOf, getCabinet } from '#shared/accounts/store';
import { db, tableName } from '#shared/clients/dynamo';
import { keys } from '#shared/keys';
import { importRegistry } from '#shared/registry/importRegistry';
import { findTicket, listTickets, replyToTicket } from '#shared/support/operator';
import { holdWrites } from '#test/support/barrier';
import { runCli } from '#test/support/cli';
import { type Client, startTestGateway } from '#test/support/http';
import { mailsTo } from '#test/support/mail';
import { captcha, registeredResident } from '#test/support/residents';

/**
 * Support threads end to end: the resident writes through the API, the operator answers through
 * `npm run rac -- support …` (a child process on the same table), the mail goes through the SES
 * emulator, and the resident reads and answers the thread.
 */

const ACCOUNTS = [
  'account;owner;passport;address;area;residents',
  '300001;Иванова Мария Петровна;1405 300001;г. Старый Оскол, мкр. Жукова, д. 12, кв. 45;54,3;3',
  '300002;Петров Сергей Николаевич;1407 300002;г. Старый Оскол, мкр. Олимпийский, д. 6, кв. 112;67,8;4',
  '300003;Сидоренко Анна Викторовна;1410 300003;г. Старый Оскол, мкр. Макаренко, д. 3, кв. 7;38,1;1',
  '300004;Кузнецов Алексей Дмитриевич;1403 300004;г. Старый Оскол, ул. Ленина, д. 41, кв. 3;45,0;2',
  '300005;Белоусова Ольга Игоревна;1412 300005;г. Старый Оскол, мкр. Восточный, д. 15, кв. 88;50,0;2',
  '300006;Морозов Игорь Васильевич;1409 300006;г. Старый Оскол, мкр. Королёва, д. 9, кв. 120;60,0;2',
  '300007;Волкова Елена Сергеевна;1411 300007;г. Старый Оскол, мкр. Степной, д. 2, кв. 14;44,0;2',
].join('\n');

let client: Client;

beforeAll(async () => {
  ({ client } = await startTestGateway());
  const report = await importRegistry('accounts', Buffer.from(ACCOUNTS));
  expect(report.errors).toEqual([]);
});
afterAll(() => client.stop());

async function openTicket(resident: Client, email: string, message: string): Promise<string> {
  const res = await resident.request('POST', '/api/support', {
    body: { name: 'Житель', email, topic: 'question', message },
  });
  expect(res.status).toBe(201);
  return res.json.id as string;
}

/** The mails to an address whose subject names the ticket, waiting a moment for the CLI's. */
async function mailsAbout(address: string, id: string) {
  for (let attempt = 0; attempt < 20; attempt++) {
    const mails = (await mailsTo(address)).filter((m) => m.subject.includes(id));
    if (mails.length > 0) return mails;
    await new Promise((r) => setTimeout(r, 100));
  }
  return [];
}

describe('a thread between a resident and the centre', () => {
  it('is opened by the resident, answered by the operator, mailed, answered back and closed', async () => {
    const email = 'thread1@example.ru';
    const resident = await registeredResident(client, '300001', '1405 300001', email);
    const id = await openTicket(resident, email, 'Почему в ноябре начислили отопление дважды?');
    expect(id).toMatch(/^\d{7}$/);

    const receipt = (await mailsAbout(email, id)).map((m) => m.subject);
    expect(receipt).toEqual([`Обращение №\u00a0${id} получено`]);
    const centre = (await mailsAbout('support@rac-oskol.ru', id))[0];
    expect(centre?.body.text).toContain('Почему в ноябре начислили отопление дважды?');

    const waiting = await runCli(['support', 'list', '--open']);
    expect(waiting.code, waiting.output).toBe(0);
    expect(waiting.stdout).toMatch(new RegExp(`№ ${id}\\s+ждёт ответа РАЦ.*ЛС 300001 \\(из личного кабинета\\)`));

    const reply = await runCli(['support', 'reply', id, '--text', 'Начисление исправлено, перерасчёт — в декабре.']);
    expect(reply.code, reply.output).toBe(0);
    expect(reply.stdout).toContain(`отправлен на ${email}`);
    const answer = (await mailsAbout(email, id)).find((m) => m.subject === `Ответ на обращение №\u00a0${id}`);
    expect(answer?.body.text).toContain('Начисление исправлено, перерасчёт — в декабре.');
    expect(answer?.body.text).toContain('/support');

    const answered = await resident.request('GET', '/api/support');
    expect(answered.json.items).toHaveLength(1);
    expect(answered.json.items[0]).toMatchObject({
      id,
      status: 'answered',
      messages: [
        { from: 'resident', text: 'Почему в ноябре начислили отопление дважды?' },
        { from: 'centre', text: 'Начисление исправлено, перерасчёт — в декабре.' },
      ],
    });
    expect((await listTickets(true)).map((t) => t.id)).not.toContain(id);
    expect((await runCli(['support', 'list'])).stdout).toMatch(new RegExp(`№ ${id}\\s+отвечено`));

    // The resident's answer puts the ticket back in the centre's queue.
    const back = await resident.request('POST', `/api/support/${id}/messages`, {
      body: { text: 'Спасибо! А за октябрь тоже пересчитают?' },
    });
    expect(back.status).toBe(201);
    expect(back.json.status).toBe('open');
    expect(back.json.messages.map((m: { from: string }) => m.from)).toEqual(['resident', 'centre', 'resident']);
    const told = await mailsAbout('support@rac-oskol.ru', id);
    expect(told.map((m) => m.subject)).toContain(`Обращение №\u00a0${id}: новое сообщение жителя`);
    expect((await listTickets(true)).map((t) => t.id)).toContain(id);

    const shown = await runCli(['support', 'show', id]);
    expect(shown.stdout).toContain('А за октябрь тоже пересчитают?');

    const close = await runCli(['support', 'close', id]);
    expect(close.code, close.output).toBe(0);
    expect((await mailsAbout(email, id)).map((m) => m.subject)).toContain(`Обращение №\u00a0${id} закрыто`);
    const refused = await resident.request('POST', `/api/support/${id}/messages`, { body: { text: 'И ещё вопрос' } });
    expect(refused.status).toBe(409);
    expect(refused.json.error.code).toBe('ticket_closed');
    expect(refused.json.error.message).toMatch(/напишите новое обращение/);
    const closed = await resident.request('GET', '/api/support');
    expect(closed.json.items[0].status).toBe('closed');
    expect(closed.json.items[0].messages).toHaveLength(3);
    expect((await listTickets(false)).map((t) => t.id)).not.toContain(id);

    const late = await runCli(['support', 'reply', id, '--text', 'Поздний ответ']);
    expect(late.code).toBe(4);
    expect(late.stderr).toContain('закрыто');
    expect((await runCli(['support', 'reply', '12345', '--text', 'Ответ'])).code).toBe(2);
  }, 120_000);

  it('lists guests’ tickets for the operator, who answers them by mail', async () => {
    const guest = client.fork();
    const res = await guest.request('POST', '/api/support', {
      body: {
        account: '300002',
        name: 'Гость',
        email: 'guest-thread@example.ru',
        message: 'Секретный текст гостя про показания',
        ...(await captcha(guest)),
      },
    });
    expect(res.status).toBe(201);
    const id = res.json.id as string;
    const receipt = (await mailsAbout('guest-thread@example.ru', id))[0];
    expect(receipt?.subject).toBe(`Обращение №\u00a0${id} получено`);
    // Anyone can type an address: the receipt repeats nothing of what was written.
    expect(receipt?.body.text).not.toContain('Секретный текст');

    const listed = (await listTickets(true)).find((t) => t.id === id);
    expect(listed).toMatchObject({ verifiedAccount: false, account: '300002' });
    const { email } = await replyToTicket(await findTicket(id), 'Передайте показания до 25-го числа.');
    expect(email).toBe('guest-thread@example.ru');
    const answer = (await mailsAbout(email, id)).find((m) => m.subject.startsWith('Ответ'));
    expect(answer?.body.text).toContain('Передайте показания до 25-го числа.');
    expect(answer?.body.text).toContain('напишите новое обращение');
  });

  it('is the resident’s alone: neither another resident nor the account’s next cabinet sees or answers it', async () => {
    const owner = await registeredResident(client, '300003', '1410 300003', 'thread3@example.ru');
    const other = await registeredResident(client, '300004', '1403 300004', 'thread4@example.ru');
    const id = await openTicket(owner, 'thread3@example.ru', 'Вопрос о моей квартире');

    const foreign = await other.request('POST', `/api/support/${id}/messages`, { body: { text: 'Чужое сообщение' } });
    expect(foreign.status).toBe(404);
    expect(foreign.json.error.code).toBe('ticket_not_found');
    expect((await other.request('GET', '/api/support')).json.items).toEqual([]);
    expect((await other.request('POST', '/api/support/abc/messages', { body: { text: 'Привет' } })).status).toBe(404);
    expect(
      (await client.fork().request('POST', `/api/support/${id}/messages`, { body: { text: 'Гость' } })).status,
    ).toBe(401);

    // The cabinet is closed and the account registered again: a new cabinet, with none of the old threads.
    expect(await closeCabinet('300003')).toEqual({ email: 'thread3@example.ru' });
    const next = await registeredResident(client, '300003', '1410 300003', 'thread3-new@example.ru');
    expect((await next.request('GET', '/api/support')).json.items).toEqual([]);
    const reused = await next.request('POST', `/api/support/${id}/messages`, { body: { text: 'Я новый владелец' } });
    expect(reused.status).toBe(404);
    // The centre still answers the old ticket, at the address it was written from.
    expect((await replyToTicket(await findTicket(id), 'Ответ прежнему владельцу')).email).toBe('thread3@example.ru');
  });

  it('keeps both of two messages written at once', async () => {
    const email = 'thread5@example.ru';
    const tab1 = await registeredResident(client, '300005', '1412 300005', email);
    const id = await openTicket(tab1, email, 'Первое сообщение');
    const tab2 = client.fork();
    tab2.cookies.set('__Host-rac_session', tab1.cookies.get('__Host-rac_session') ?? '');

    // Both requests have read the ticket before either writes: the second's condition fails, and
    // it reads again and writes after the first instead of losing its message.
    const gate = holdWrites(
      (name, request) => name === 'TransactWriteItemsCommand' && request.includes('ticketMessage'),
    );
    try {
      const [a, b] = await Promise.all([
        tab1.request('POST', `/api/support/${id}/messages`, { body: { text: 'Из первой вкладки' } }),
        tab2.request('POST', `/api/support/${id}/messages`, { body: { text: 'Из второй вкладки' } }),
      ]);
      expect([a.status, b.status]).toEqual([201, 201]);
    } finally {
      gate.remove();
    }
    expect(gate.arrivals).toBe(2);
    const thread = (await tab1.request('GET', '/api/support')).json.items[0];
    expect(thread.messages.map((m: { text: string }) => m.text).sort()).toEqual(
      ['Из второй вкладки', 'Из первой вкладки', 'Первое сообщение'].sort(),
    );
    expect((await findTicket(id)).messageCount).toBe(2);
  });

  it('keeps tickets numbered before 7-digit numbers working', async () => {
    const email = 'thread6@example.ru';
    const resident = await registeredResident(client, '300006', '1409 300006', email);
    const cabinet = await getCabinet('300006');
    if (!cabinet) throw new Error('the cabinet of 300006 was just registered');
    const legacyId = '20261126-A1B2C3';
    const createdAt = '2026-11-26T07:00:00.000Z';
    // As tickets were stored before threads: status `new`, no number item, no queue keys.
    await db().send(
      new PutCommand({
        TableName: tableName(),
        Item: {
          ...keys.supportTicket('300006', cabinetIdOf(cabinet), createdAt, legacyId),
          entity: 'ticket',
          id: legacyId,
          account: '300006',
          verifiedAccount: true,
          cabinet: cabinetIdOf(cabinet),
          name: 'Морозов И. В.',
          address: null,
          email,
          phone: null,
          topic: 'payments',
          message: 'Старое обращение',
          status: 'new',
          createdAt,
        },
      }),
    );
    const listed = (await resident.request('GET', '/api/support')).json.items.find(
      (t: { id: string }) => t.id === legacyId,
    );
    expect(listed).toMatchObject({ status: 'open', messages: [{ from: 'resident', text: 'Старое обращение' }] });
    const more = await resident.request('POST', `/api/support/${legacyId}/messages`, { body: { text: 'Напоминаю' } });
    expect(more.status).toBe(201);

    expect((await runCli(['support', 'show', legacyId])).code).toBe(4);
    const reply = await runCli(['support', 'reply', legacyId, '--account', '300006', '--text', 'Ответ на старое']);
    expect(reply.code, reply.output).toBe(0);
    expect(
      (await resident.request('GET', '/api/support')).json.items.find((t: { id: string }) => t.id === legacyId),
    ).toMatchObject({ status: 'answered' });
  });
});

describe('tickets from one cabinet', () => {
  it('are at most ten a day, counted atomically: a burst of twelve stores and mails ten', async () => {
    const email = 'volkova-tickets@example.ru';
    const resident = await registeredResident(client, '300007', '1411 300007', email);
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        resident.request('POST', '/api/support', {
          body: { name: 'Волкова Е. С.', email, topic: 'question', message: `Вопрос номер ${i + 1}` },
        }),
      ),
    );
    expect(answers.filter((a) => a.status === 201)).toHaveLength(10);
    const refused = answers.filter((a) => a.status !== 201);
    expect(refused).toHaveLength(2);
    for (const res of refused) {
      expect(res.status).toBe(429);
      expect(res.json.error.code).toBe('too_many_attempts');
      expect(res.json.error.message).toMatch(/^Слишком много попыток\. Повторите через \d+ мин\.$/);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(23 * 3600);
    }
    // Refused ones leave nothing behind: ten threads, ten acknowledgements.
    expect((await resident.request('GET', '/api/support')).json.items).toHaveLength(10);
    let received: unknown[] = [];
    for (let attempt = 0; attempt < 20 && received.length < 10; attempt++) {
      received = (await mailsTo(email)).filter((m) => m.subject.includes('получено'));
      if (received.length < 10) await new Promise((r) => setTimeout(r, 100));
    }
    expect(received).toHaveLength(10);
  });
});
