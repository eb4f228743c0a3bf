import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invokeGroup } from '#local/lambda';
import { type LocalQueues, sqsEvent, startLocalQueues } from '#local/queue';
import { db, tableName } from '#shared/clients/dynamo';
import { useQueueTransport } from '#shared/clients/queue';
import { resetConfigForTests } from '#shared/config';
import { ENV } from '#shared/env';
import { DomainError } from '#shared/errors';
import { keys } from '#shared/keys';
import { type NewsShardMessage, queueNewsMailing } from '#shared/news/mailing';
import { publishNews } from '#shared/news/publish';
import { claimNewsMail, forgetCachedNews, mailedCount, withdrawNews } from '#shared/news/store';
import { importRegistry } from '#shared/registry/importRegistry';
import { runCli } from '#test/support/cli';
import { type Client, startTestGateway } from '#test/support/http';
import { mailsTo } from '#test/support/mail';
import { registeredResident } from '#test/support/residents';

/**
 * News end to end: the operator publishes (the CLI, or the function it calls), `GET /api/news` shows
 * general news to everyone and news for some addresses to the residents living there, and
 * subscribers get each item once, even when a mailing message is delivered again.
 */
const RUN = Date.now();
const ACCOUNTS = [
  'account;owner;passport;address;area;residents',
  '400001;Орлова Татьяна Сергеевна;1401 411111;г. Старый Оскол, мкр. Жукова, д. 12, кв. 45;50,0;3',
  '400002;Зайцев Павел Андреевич;1402 422222;г. Старый Оскол, мкр. Олимпийский, д. 6, кв. 112;40,0;2',
  '400003;Лебедева Нина Ивановна;1403 433333;г. Старый Оскол, микрорайон Жукова, дом 3, кв. 7;30,0;1',
  '400004;Белова Ольга Игоревна;1404 444444;г. Старый Оскол, ул. Ленина, д. 41, кв. 3;45,0;2',
].join('\n');

const email = (who: string) => `${who}-news-${RUN}@example.ru`;

let client: Client;
let orlova: Client;
let zaitsev: Client;
let lebedeva: Client;
const dir = mkdtempSync(path.join(tmpdir(), 'rac-news-'));

function clockAt(iso: string): void {
  process.env[ENV.now] = iso;
  resetConfigForTests();
}

/** Runs the publication (or anything that queues mail) with the queue consumer of this process. */
async function withQueues<T>(work: () => Promise<T>): Promise<{ result: T; queues: LocalQueues }> {
  const queues = startLocalQueues({ concurrency: 2, log: () => undefined });
  try {
    const result = await work();
    await queues.drain();
    return { result, queues };
  } finally {
    queues.stop();
  }
}

async function storedNewsCount(): Promise<number> {
  const out = await db().send(
    new QueryCommand({
      TableName: tableName(),
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.newsPartition },
      Select: 'COUNT',
      ConsistentRead: true,
    }),
  );
  return out.Count ?? 0;
}

const subjects = async (who: string) => (await mailsTo(email(who))).map((m) => m.subject);
const titles = (res: { json: { items: Array<{ title: string }> } }) => res.json.items.map((n) => n.title);
/** The list's titles of the two items this file's list tests publish, in the list's order. */
const ours = (res: { json: { items: Array<{ title: string }> } }) =>
  titles(res).filter((t) => t === 'Отключение горячей воды' || t === 'График приёма граждан');

beforeAll(async () => {
  clockAt('2026-11-20T10:00:00+03:00');
  ({ client } = await startTestGateway());
  const report = await importRegistry('accounts', Buffer.from(ACCOUNTS));
  expect(report.errors).toEqual([]);
  orlova = await registeredResident(client, '400001', '1401 411111', email('orlova'));
  zaitsev = await registeredResident(client, '400002', '1402 422222', email('zaitsev'));
  lebedeva = await registeredResident(client, '400003', '1403 433333', email('lebedeva'));
});

afterAll(async () => {
  delete process.env[ENV.now];
  resetConfigForTests();
  await client.stop();
});

describe('publishing', () => {
  it('refuses bad input in Russian and stores nothing', async () => {
    const before = await storedNewsCount();
    const cases = [
      [{ title: '  ', text: 'Текст', format: 'text', addresses: [] }, 'Укажите заголовок (--title)'],
      [{ title: 'Заголовок', text: ' \n ', format: 'text', addresses: [] }, 'Текст новости пуст'],
      [{ title: 'x'.repeat(201), text: 'Текст', format: 'text', addresses: [] }, 'Заголовок — не длиннее 200 символов'],
      [{ title: 'Две\nстроки', text: 'Текст', format: 'text', addresses: [] }, 'Заголовок — одна строка'],
      [{ title: 'Заголовок', text: 'Текст', format: 'text', addresses: ['д.'] }, 'Адрес — не короче 3 символов'],
      [
        { title: 'Заголовок', text: 'Текст', format: 'text', addresses: ['., ;'] },
        'Адрес «., ;» не содержит ни одного слова',
      ],
    ] as const;
    for (const [draft, message] of cases) {
      const error = await publishNews({ ...draft, addresses: [...draft.addresses] }).catch((e: unknown) => e);
      expect(error, message).toBeInstanceOf(DomainError);
      expect((error as DomainError).code).toBe('invalid_news');
      expect((error as DomainError).message).toBe(message);
    }
    expect(await storedNewsCount()).toBe(before);
  });

  it('the CLI refuses a publication without a title or with an empty file: exit code 2, nothing published', async () => {
    const before = await storedNewsCount();
    const file = path.join(dir, 'empty.txt');
    writeFileSync(file, '   \n');
    const noTitle = await runCli(['news', 'publish', file]);
    expect(noTitle.code).toBe(2);
    expect(noTitle.stderr).toContain('укажите заголовок: --title "…"');
    const empty = await runCli(['news', 'publish', '--title', 'Пусто', file]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('Текст новости пуст');
    expect(await storedNewsCount()).toBe(before);
  });
});

describe('the news list', () => {
  beforeAll(async () => {
    clockAt('2026-11-20T10:01:00+03:00');
    await withQueues(() =>
      publishNews({ title: 'График приёма граждан', text: 'Приём по вторникам.', format: 'text', addresses: [] }),
    );
    // The operator's CLI, as a separate process: Markdown from a .md file, for one district.
    clockAt('2026-11-20T10:02:00+03:00');
    const file = path.join(dir, 'water.md');
    writeFileSync(file, '**27 ноября** с 9:00 до 17:00 не будет горячей воды.\n\n<script>alert(1)</script>');
    const cli = await runCli([
      'news',
      'publish',
      '--title',
      'Отключение горячей воды',
      '--addresses',
      'мкр. Жукова',
      file,
    ]);
    expect(cli.stderr).toBe('');
    expect(cli.code).toBe(0);
    expect(cli.stdout).toContain('«Отключение горячей воды»');
    expect(cli.stdout).toContain('Для адресов: мкр. Жукова');
    forgetCachedNews();
  });

  it('shows a visitor the general news only', async () => {
    const res = await client.fork().request('GET', '/api/news');
    expect(res.status).toBe(200);
    expect(titles(res)).not.toContain('Отключение горячей воды');
    expect(res.json.items.filter((n: { title: string }) => n.title === 'График приёма граждан')).toEqual([
      {
        id: expect.stringMatching(/^20261120T070100Z-[0-9a-f]{8}$/),
        title: 'График приёма граждан',
        publishedAt: '2026-11-20T07:01:00.000Z',
        text: 'Приём по вторникам.',
        html: '<p>Приём по вторникам.</p>',
        addresses: [],
      },
    ]);
  });

  it('shows a resident the news for their address too, newest first, the Markdown rendered safely', async () => {
    const res = await orlova.request('GET', '/api/news');
    expect(ours(res)).toEqual(['Отключение горячей воды', 'График приёма граждан']);
    const water = res.json.items.find((n: { title: string }) => n.title === 'Отключение горячей воды');
    expect(water.addresses).toEqual(['мкр. Жукова']);
    expect(water.text).toContain('**27 ноября**');
    expect(water.html).toContain('<strong>27 ноября</strong>');
    expect(water.html).toContain('&lt;script&gt;');
    expect(water.html).not.toContain('<script');
    // «микрорайон Жукова, дом 3» is the same district as «мкр. Жукова».
    expect(ours(await lebedeva.request('GET', '/api/news'))).toEqual([
      'Отключение горячей воды',
      'График приёма граждан',
    ]);
    expect(ours(await zaitsev.request('GET', '/api/news'))).toEqual(['График приёма граждан']);
    expect((await orlova.request('GET', '/api/news?limit=1')).json.items).toHaveLength(1);
  });

  it('answers a bad limit with a Russian 400', async () => {
    for (const limit of ['abc', '0', '51', '-1', '2.5']) {
      const res = await client.request('GET', `/api/news?limit=${limit}`);
      expect(res.status, limit).toBe(400);
      expect(res.json.error.code).toBe('invalid_input');
      expect(res.json.error.fields.limit).toBe('Количество новостей — целое число от 1 до 50');
    }
  });
});

describe('news by mail', () => {
  async function subscribe(resident: Client, on: boolean): Promise<void> {
    const res = await resident.request('PATCH', '/api/profile', { body: { newsByEmail: on } });
    expect(res.status).toBe(200);
    expect(res.json.newsByEmail).toBe(on);
  }

  it('is off for a new cabinet; a non-boolean is refused and changes nothing', async () => {
    const fresh = await registeredResident(client, '400004', '1404 444444', email('belova'));
    expect((await fresh.request('GET', '/api/profile')).json.newsByEmail).toBe(false);
    const bad = await fresh.request('PATCH', '/api/profile', { body: { newsByEmail: 'да' } });
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe('invalid_input');
    expect((await fresh.request('GET', '/api/profile')).json.newsByEmail).toBe(false);
  });

  it('mails each subscriber once per item, and a redelivered message mails nobody again', async () => {
    await subscribe(orlova, true);
    await subscribe(zaitsev, true);
    await subscribe(lebedeva, false);
    clockAt('2026-11-20T10:03:00+03:00');
    const { result, queues } = await withQueues(() =>
      publishNews({
        title: 'Новый телефон диспетчерской',
        text: 'Звоните по номеру [8 (4725) 00-00-00](tel:+74725000000).',
        format: 'markdown',
        addresses: [],
      }),
    );
    expect(queues.deadLetters).toEqual([]);
    expect(queues.delivered()).toBe(keys.newsSubscriberShards().length);
    const id = result.news.id;
    expect(await mailedCount(id)).toBe(2);

    const [mail] = (await mailsTo(email('orlova'))).filter((m) => m.subject === 'Новый телефон диспетчерской');
    expect(mail?.body.text).toContain('Звоните по номеру');
    expect(mail?.body.text).toContain('/news');
    expect(mail?.body.text).toContain('Рассылку новостей можно отключить');
    expect(mail?.body.html).toContain('<a href="tel:+74725000000">8 (4725) 00-00-00</a>');

    // Every shard's message delivered again (SQS is at least once), through the group's handler.
    for (const shard of keys.newsSubscriberShards()) {
      const message: NewsShardMessage = { type: 'newsShard', newsId: id, shard };
      const event = sqsEvent('readingMail', {
        queue: 'readingMail',
        body: JSON.stringify(message),
        messageId: `again-${shard}`,
        receiveCount: 2,
      });
      expect(await invokeGroup('readingMail', event)).toEqual({ batchItemFailures: [] });
    }
    // And the operator's `news mail` for the same item.
    await withQueues(() => queueNewsMailing(id));

    for (const who of ['orlova', 'zaitsev']) {
      expect(
        (await subjects(who)).filter((s) => s === 'Новый телефон диспетчерской'),
        who,
      ).toHaveLength(1);
    }
    expect(await subjects('lebedeva')).not.toContain('Новый телефон диспетчерской');
    expect(await mailedCount(id)).toBe(2);
  });

  it('mails news for some addresses only to the subscribers living there', async () => {
    await subscribe(orlova, true);
    await subscribe(zaitsev, true);
    clockAt('2026-11-20T10:04:00+03:00');
    await withQueues(() =>
      publishNews({
        title: 'Ремонт лифтов в Олимпийском',
        text: 'Лифты д. 6 не работают 25 ноября.',
        format: 'text',
        addresses: ['мкр. Олимпийский, д. 6'],
      }),
    );
    expect(await subjects('zaitsev')).toContain('Ремонт лифтов в Олимпийском');
    expect(await subjects('orlova')).not.toContain('Ремонт лифтов в Олимпийском');
  });

  it('stops when the resident turns it off', async () => {
    await subscribe(zaitsev, true);
    await subscribe(orlova, true);
    await subscribe(orlova, false);
    clockAt('2026-11-20T10:05:00+03:00');
    await withQueues(() =>
      publishNews({ title: 'Часы работы в праздники', text: '4 ноября — выходной.', format: 'text', addresses: [] }),
    );
    expect(await subjects('zaitsev')).toContain('Часы работы в праздники');
    expect(await subjects('orlova')).not.toContain('Часы работы в праздники');
  });
});

describe('withdrawing an item', () => {
  async function subscribe(resident: Client, on: boolean): Promise<void> {
    const res = await resident.request('PATCH', '/api/profile', { body: { newsByEmail: on } });
    expect(res.status).toBe(200);
  }

  /** Publishes with the mailing's messages held back, as a mailing not delivered yet. */
  async function publishHeld(title: string): Promise<{ id: string; messages: NewsShardMessage[] }> {
    const messages: NewsShardMessage[] = [];
    useQueueTransport({
      send: async (_queue, sent) => {
        messages.push(...(sent as NewsShardMessage[]));
      },
    });
    try {
      const { news } = await publishNews({ title, text: 'Текст новости.', format: 'text', addresses: [] });
      return { id: news.id, messages };
    } finally {
      useQueueTransport(undefined);
    }
  }

  /** Delivers mailing messages through the group's handler, as SQS (re)delivers them. */
  async function deliver(messages: readonly NewsShardMessage[]): Promise<void> {
    for (const message of messages) {
      const event = sqsEvent('readingMail', {
        queue: 'readingMail',
        body: JSON.stringify(message),
        messageId: `withdrawn-${message.shard}-${RUN}`,
        receiveCount: 2,
      });
      expect(await invokeGroup('readingMail', event)).toEqual({ batchItemFailures: [] });
    }
  }

  it('`news withdraw` takes it off the API and the list marks it; its mailing sends nothing more', async () => {
    await subscribe(orlova, true);
    await subscribe(zaitsev, true);
    clockAt('2026-11-20T10:06:00+03:00');
    const title = 'Ошибочная новость';
    const { id, messages } = await publishHeld(title);
    expect(messages).toHaveLength(keys.newsSubscriberShards().length);
    const kept = await publishHeld('Исправленная новость');
    forgetCachedNews();
    expect(titles(await client.fork().request('GET', '/api/news'))).toContain(title);

    clockAt('2026-11-20T10:07:00+03:00');
    const cli = await runCli(['news', 'withdraw', id]);
    expect(cli.stderr).toBe('');
    expect(cli.code).toBe(0);
    expect(cli.stdout).toContain(`Новость ${id}: «${title}» снята с публикации.`);
    expect(cli.stdout).toContain('уже отправлено писем: 0');
    // The operator is told the bound of the per-container list cache: 10:07:00 + 30 s.
    expect(cli.stdout).toContain('исчезнет не позже 20.11.2026 10:07:30 МСК');

    // This process served the list before the withdrawal; once its 30 s cache has run out (or in
    // any container that had not read it), the item is gone, for visitors and residents alike.
    forgetCachedNews();
    expect(titles(await client.fork().request('GET', '/api/news'))).not.toContain(title);
    expect(titles(await orlova.request('GET', '/api/news'))).not.toContain(title);

    // The held mailing, delivered now (or again): nobody gets the withdrawn item.
    await deliver(messages);
    expect(await subjects('orlova')).not.toContain(title);
    expect(await subjects('zaitsev')).not.toContain(title);
    expect(await mailedCount(id)).toBe(0);

    const list = await runCli(['news', 'list']);
    expect(list.code).toBe(0);
    const block = list.stdout.split('\n\n').find((b) => b.includes(id));
    expect(block).toContain('Снята с публикации 20.11.2026 10:07 МСК: не показывается и не рассылается');
    expect(list.stdout.split('\n\n').find((b) => b.includes(kept.id))).not.toContain('Снята');

    const mailAgain = await runCli(['news', 'mail', id]);
    expect(mailAgain.code).toBe(2);
    expect(mailAgain.stderr).toContain(`Новость ${id} снята с публикации 20.11.2026 10:07 МСК: рассылки не будет.`);
    expect(await mailedCount(id)).toBe(0);

    const again = await runCli(['news', 'withdraw', id]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('уже снята с публикации 20.11.2026 10:07 МСК');
    const unknown = await runCli(['news', 'withdraw', '20261120T070000Z-00000000']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Новость не найдена. Номер: 20261120T070000Z-00000000');
  });

  it('a mailing in progress stops at its next recipient: the claim sees the withdrawal', async () => {
    await subscribe(orlova, true);
    await subscribe(zaitsev, true);
    clockAt('2026-11-20T10:08:00+03:00');
    const title = 'Новость, снятая во время рассылки';
    const { id, messages } = await publishHeld(title);
    // The operator withdraws the item right after the mailing read it (not withdrawn then).
    const hook = `withdraw-during-mailing-${RUN}`;
    let withdrawn = false;
    let markReads = 0;
    db().middlewareStack.add(
      (next, context) => async (args) => {
        const out = await next(args);
        const input = JSON.stringify(args.input);
        const readsItem = (context as { commandName?: string }).commandName === 'GetItemCommand';
        if (!withdrawn && readsItem && input.includes('"NEWS"') && input.includes(id)) {
          withdrawn = true;
          expect((await withdrawNews(id)).outcome).toBe('withdrawn');
        } else if (withdrawn && readsItem && input.includes(`NEWS_WITHDRAWN#${id}`)) {
          markReads++;
        }
        return out;
      },
      { step: 'initialize', name: hook },
    );
    // Orlova's shard first: its message reads the item before the withdrawal and goes on to a claim.
    const first = keys.newsSubscription('400001').pk;
    try {
      await deliver([...messages].sort((a, b) => Number(b.shard === first) - Number(a.shard === first)));
    } finally {
      db().middlewareStack.remove(hook);
    }
    expect(withdrawn).toBe(true);
    expect(markReads).toBeGreaterThan(0);
    expect(await subjects('orlova')).not.toContain(title);
    expect(await subjects('zaitsev')).not.toContain(title);
    expect(await mailedCount(id)).toBe(0);
    expect(await claimNewsMail(id, '400001')).toBe('withdrawn');
  });
});
