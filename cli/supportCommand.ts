import { parseArgs } from 'node:util';
import { ACCOUNT_NUMBER } from '#shared/format';
import { TOPIC_TITLES } from '#shared/support/mails';
import { closeTicket, findTicket, listTickets, replyToTicket, ticketThread } from '#shared/support/operator';
import { TICKET_NUMBER } from '#shared/support/schemas';
import { type StoredTicket, statusOf } from '#shared/support/store';
import { type CommandResult, EXIT, UsageError } from './output';
import { moscowDateTime } from './windowCommand';

const USAGE =
  'support list [--open] | support show ОБРАЩЕНИЕ | support reply ОБРАЩЕНИЕ --text "…" | support close ОБРАЩЕНИЕ';

const STATUS_NAMES = { open: 'ждёт ответа РАЦ', answered: 'отвечено', closed: 'закрыто' } as const;

const MAX_TEXT = 4000;

/**
 * `support list [--open]`, `support show|reply|close TICKET`: the centre's side of the residents'
 * threads. Tickets from before 7-digit numbers (`YYYYMMDD-XXXXXX`) of logged-in residents need
 * `--account` to be found.
 */
export async function supportCommand(args: readonly string[]): Promise<() => Promise<CommandResult>> {
  let parsed: {
    positionals: string[];
    values: { open?: boolean | undefined; text?: string | undefined; account?: string | undefined };
  };
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      strict: true,
      options: { open: { type: 'boolean' }, text: { type: 'string' }, account: { type: 'string' } },
    });
  } catch {
    throw new UsageError(`ожидается: ${USAGE}`);
  }
  const [action, id, ...rest] = parsed.positionals;
  const { open, text, account } = parsed.values;
  if (rest.length > 0) throw new UsageError(`ожидается: ${USAGE}`);
  if (account !== undefined && !ACCOUNT_NUMBER.test(account)) throw new UsageError('--account: 6 цифр');

  if (action === 'list') {
    if (id !== undefined || text !== undefined || account !== undefined) throw new UsageError(`ожидается: ${USAGE}`);
    return async () => ({ lines: describeList(await listTickets(Boolean(open)), Boolean(open)), exitCode: EXIT.ok });
  }
  if (action !== 'show' && action !== 'reply' && action !== 'close') throw new UsageError(`ожидается: ${USAGE}`);
  if (!id || !TICKET_NUMBER.test(id)) throw new UsageError(`укажите номер обращения (7 цифр): ${USAGE}`);
  if (open) throw new UsageError(`--open только для support list`);
  if (action !== 'reply' && text !== undefined) throw new UsageError(`--text только для support reply`);

  if (action === 'show') {
    return async () => ({ lines: await describeThread(await findTicket(id, account)), exitCode: EXIT.ok });
  }
  if (action === 'reply') {
    const reply = text?.trim() ?? '';
    if (reply.length < 2) throw new UsageError('укажите текст ответа: --text "…"');
    if (reply.length > MAX_TEXT) throw new UsageError(`ответ длиннее ${MAX_TEXT} символов`);
    return async () => {
      const ticket = await findTicket(id, account);
      const { email } = await replyToTicket(ticket, reply);
      return { lines: [`Ответ добавлен в обращение № ${ticket.id} и отправлен на ${email}`], exitCode: EXIT.ok };
    };
  }
  return async () => {
    const ticket = await findTicket(id, account);
    const closed = await closeTicket(ticket);
    return {
      lines: [closed ? `Обращение № ${ticket.id} закрыто; житель уведомлён` : `Обращение № ${ticket.id} уже закрыто`],
      exitCode: EXIT.ok,
    };
  };
}

function who(ticket: StoredTicket): string {
  if (ticket.verifiedAccount) return `ЛС ${ticket.account} (из личного кабинета)`;
  return ticket.account ? `гость, назвал ЛС ${ticket.account}` : 'гость';
}

const firstLine = (text: string, max = 60) => {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
};

export function describeList(tickets: readonly StoredTicket[], openOnly: boolean): string[] {
  const waiting = tickets.filter((t) => statusOf(t.status) === 'open').length;
  const lines = [
    openOnly
      ? `Ждут ответа РАЦ: ${waiting}`
      : `Незакрытых обращений: ${tickets.length}, из них ждут ответа РАЦ: ${waiting}`,
  ];
  for (const t of tickets) {
    const status = STATUS_NAMES[statusOf(t.status)];
    lines.push(
      `  № ${t.id}  ${status} с ${moscowDateTime(t.updatedAt ?? t.createdAt)}  ${who(t)}  ` +
        `${TOPIC_TITLES[t.topic]}: «${firstLine(t.message)}»  сообщений: ${1 + (t.messageCount ?? 0)}`,
    );
  }
  return lines;
}

async function describeThread(ticket: StoredTicket): Promise<string[]> {
  const thread = await ticketThread(ticket);
  const lines = [
    `Обращение № ${ticket.id}: ${TOPIC_TITLES[ticket.topic]}, ${STATUS_NAMES[thread.status]}`,
    `От: ${ticket.name}, ${who(ticket)}; e-mail ${ticket.email}${ticket.phone ? `, тел. ${ticket.phone}` : ''}`,
    `Адрес: ${ticket.address || '—'}`,
  ];
  for (const m of thread.messages) {
    lines.push('', `— ${m.from === 'resident' ? 'Житель' : 'РАЦ'}, ${moscowDateTime(m.at)}:`, m.text);
  }
  return lines;
}
