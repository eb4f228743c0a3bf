import { parseArgs } from 'node:util';
import { startLocalQueues } from '#local/queue';
import { config } from '#shared/config';
import { DomainError } from '#shared/errors';
import { logger } from '#shared/logger';
import { splitAddressFilters } from '#shared/news/addresses';
import { queueNewsMailing } from '#shared/news/mailing';
import { publishNews } from '#shared/news/publish';
import { formatOfFile, type NewsFormat } from '#shared/news/render';
import {
  getNews,
  latestNews,
  mailedCount,
  NEWS_CACHE_SECONDS,
  type StoredNews,
  withdrawNews,
} from '#shared/news/store';
import { decode } from '#shared/registry/csv';
import { readInput } from './input';
import { type CommandResult, EXIT, UsageError } from './output';
import { moscowDateTime } from './windowCommand';

/**
 * `news publish --title "…" [--addresses "мкр. Жукова; ул. Ленина, д. 41"] [--format markdown|text]
 * FILE`: publishes a news item (plain text, or Markdown for `.md` files) and mails it to the
 * subscribers, through the same queue and fan-out as in AWS. Locally the command waits for the
 * mailing; with RAC_RUNTIME=aws it queues it (RAC_READING_MAIL_QUEUE_URL) and returns.
 * `news list`: the newest items, withdrawn ones marked. `news mail ID`: the mailing again (after a
 * failure): nobody who got the item gets it twice. `news withdraw ID`: takes a published item off
 * the site and the API and stops its mailing.
 */
export const NEWS_USAGE =
  'news publish --title "…" [--addresses "…; …"] [--format markdown|text] FILE | news list | news mail ID | news withdraw ID';

const FORMATS: Record<string, NewsFormat> = { markdown: 'markdown', md: 'markdown', text: 'text', txt: 'text' };

export async function newsCommand(args: readonly string[]): Promise<() => Promise<CommandResult>> {
  const parse = () =>
    parseArgs({
      args: [...args],
      allowPositionals: true,
      strict: true,
      options: { title: { type: 'string' }, addresses: { type: 'string' }, format: { type: 'string' } },
    });
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse();
  } catch {
    throw new UsageError(`ожидается: ${NEWS_USAGE}`);
  }
  const [action, ...rest] = parsed.positionals;
  const { title, addresses, format } = parsed.values;
  const optionsGiven = title !== undefined || addresses !== undefined || format !== undefined;
  if (action === 'list' && rest.length === 0 && !optionsGiven) return list;
  if (action === 'mail' && rest.length === 1 && !optionsGiven) return () => mailAgain(rest[0] as string);
  if (action === 'withdraw' && rest.length === 1 && !optionsGiven) return () => withdraw(rest[0] as string);
  if (action !== 'publish' || rest.length !== 1) throw new UsageError(`ожидается: ${NEWS_USAGE}`);
  const file = rest[0] as string;
  if (title === undefined) throw new UsageError('укажите заголовок: --title "…"');
  const chosen = format === undefined ? formatOfFile(file) : FORMATS[format.toLowerCase()];
  if (!chosen) throw new UsageError('формат: --format markdown или --format text');
  const filters = addresses === undefined ? [] : splitAddressFilters(addresses);
  if (addresses !== undefined && filters.length === 0) {
    throw new UsageError('--addresses: укажите адреса через «;», например "мкр. Жукова; ул. Ленина, д. 41"');
  }
  const { text } = decode(await readInput(file));
  return () => publish({ title, text, format: chosen, addresses: filters });
}

/**
 * Runs `work` with the local queue consumer in this process (as `billing run` does) and waits for
 * the mailing; in AWS the stack's consumers do it and the command only queues.
 */
async function withLocalMailing<T>(work: () => Promise<T>): Promise<{ result: T; undelivered: number }> {
  // The mailing's own summary is this command's output; the functions' JSON logs would drown it.
  if (!process.env.POWERTOOLS_LOG_LEVEL) logger.setLogLevel('WARN');
  const queues = startLocalQueues({ concurrency: 4, log: (m) => console.error(m) });
  try {
    const result = await work();
    await queues.drain();
    return { result, undelivered: queues.deadLetters.length };
  } finally {
    queues.stop();
  }
}

async function publish(draft: Parameters<typeof publishNews>[0]): Promise<CommandResult> {
  try {
    if (config().runtime === 'aws') {
      const { news, shards } = await publishNews(draft);
      return {
        lines: [...describe(news), `Рассылка подписчикам поставлена в очередь: ${shards} частей.`],
        exitCode: EXIT.ok,
      };
    }
    const done = await withLocalMailing(() => publishNews(draft));
    const { news } = done.result;
    return { lines: [...describe(news), ...(await mailingReport(news.id, done.undelivered))], exitCode: outcome(done) };
  } catch (error) {
    if (error instanceof DomainError && error.code === 'invalid_news') throw new UsageError(error.message);
    throw error;
  }
}

async function mailAgain(id: string): Promise<CommandResult> {
  const news = await getNews(id);
  if (!news) throw notFound(id);
  if (news.withdrawnAt) {
    throw new UsageError(`Новость ${id} снята с публикации ${moscowDateTime(news.withdrawnAt)}: рассылки не будет.`);
  }
  if (config().runtime === 'aws') {
    const shards = await queueNewsMailing(id);
    return { lines: [`Рассылка новости ${id} поставлена в очередь: ${shards} частей.`], exitCode: EXIT.ok };
  }
  const done = await withLocalMailing(() => queueNewsMailing(id));
  return {
    lines: [`Новость ${id}: «${news.title}»`, ...(await mailingReport(id, done.undelivered))],
    exitCode: outcome(done),
  };
}

const notFound = (id: string) =>
  new UsageError(`${DomainError.of('news_not_found').message} Номер: ${id} (npm run rac -- news list)`);

/**
 * Withdraws an item. The serving containers (Lambda, or a running `npm start`) each keep the list
 * for NEWS_CACHE_SECONDS, so the command says until when the item may still be shown; the mailing
 * stops at once.
 */
async function withdraw(id: string): Promise<CommandResult> {
  const { outcome, at } = await withdrawNews(id);
  if (outcome === 'missing') throw notFound(id);
  const news = await getNews(id);
  const title = news ? `: «${news.title}»` : '';
  if (outcome === 'already') {
    return {
      lines: [`Новость ${id}${title} уже снята с публикации${at ? ` ${moscowDateTime(at)}` : ''}.`],
      exitCode: EXIT.ok,
    };
  }
  const until = new Date(new Date(at as string).getTime() + NEWS_CACHE_SECONDS * 1000);
  // Seconds count here; Moscow's offset is whole hours, so they are UTC's.
  const untilText = moscowDateTime(until.toISOString()).replace(
    ' МСК',
    `:${String(until.getUTCSeconds()).padStart(2, '0')} МСК`,
  );
  return {
    lines: [
      `Новость ${id}${title} снята с публикации.`,
      `Рассылка остановлена: новость больше никому не отправляется (уже отправлено писем: ${await mailedCount(id)}).`,
      `С сайта и из GET /api/news исчезнет не позже ${untilText} (список кешируется на ${NEWS_CACHE_SECONDS} с).`,
    ],
    exitCode: EXIT.ok,
  };
}

async function list(): Promise<CommandResult> {
  const items = await latestNews();
  if (items.length === 0) return { lines: ['Новостей нет.'], exitCode: EXIT.ok };
  return { lines: items.flatMap((news) => [...describe(news), '']), exitCode: EXIT.ok };
}

function describe(news: StoredNews): string[] {
  return [
    `Новость ${news.id} от ${moscowDateTime(news.publishedAt)}: «${news.title}»`,
    news.addresses.length > 0 ? `Для адресов: ${news.addresses.join('; ')}` : 'Для всех жителей',
    ...(news.withdrawnAt
      ? [`Снята с публикации ${moscowDateTime(news.withdrawnAt)}: не показывается и не рассылается`]
      : []),
  ];
}

async function mailingReport(id: string, undelivered: number): Promise<string[]> {
  const lines = [`Разослано подписчикам (всего по этой новости): ${await mailedCount(id)}`];
  if (undelivered > 0) {
    lines.push(`Не разослано частей: ${undelivered} — повторите: npm run rac -- news mail ${id}`);
  }
  return lines;
}

const outcome = (done: { undelivered: number }) => (done.undelivered > 0 ? EXIT.rowsRefused : EXIT.ok);
