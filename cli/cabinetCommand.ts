import { parseArgs } from 'node:util';
import { closeCabinet } from '#shared/accounts/closing';
import { ACCOUNT_NUMBER } from '#shared/format';
import { closeTicket, findTicket, SupportCommandError } from '#shared/support/operator';
import { TICKET_NUMBER } from '#shared/support/schemas';
import { type CommandResult, EXIT, UsageError } from './output';

const USAGE = 'cabinet close ACCOUNT [--ticket ОБРАЩЕНИЕ]';

/**
 * `cabinet close ACCOUNT [--ticket TICKET]`: carries out a resident's request to close their
 * cabinet (sessions, password and mailed links end; a notice is mailed); with `--ticket`, the
 * request's ticket, which must be that account's, is closed with it.
 */
export async function cabinetCommand(args: readonly string[]): Promise<() => Promise<CommandResult>> {
  let parsed: { positionals: string[]; values: { ticket?: string | undefined } };
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      strict: true,
      options: { ticket: { type: 'string' } },
    });
  } catch {
    throw new UsageError(`ожидается: ${USAGE}`);
  }
  const [action, account, ...rest] = parsed.positionals;
  const { ticket: ticketId } = parsed.values;
  if (action !== 'close' || !account || rest.length > 0) throw new UsageError(`ожидается: ${USAGE}`);
  if (!ACCOUNT_NUMBER.test(account)) throw new UsageError('номер лицевого счёта — 6 цифр');
  if (ticketId !== undefined && !TICKET_NUMBER.test(ticketId))
    throw new UsageError('--ticket: номер обращения, 7 цифр');
  return async () => {
    // The ticket is checked first: a wrong number must not leave a cabinet closed and its request open.
    const ticket = ticketId === undefined ? undefined : await findTicket(ticketId, account);
    if (ticket && ticket.account !== account) {
      throw new SupportCommandError(`обращение № ${ticket.id} не относится к лицевому счёту ${account}`);
    }
    const closed = await closeCabinet(account);
    const lines = [
      closed
        ? `Личный кабинет лицевого счёта ${account} закрыт: сеансы и пароль отменены, уведомление отправлено на ${closed.email}`
        : `У лицевого счёта ${account} нет личного кабинета: закрывать нечего`,
    ];
    if (ticket) {
      lines.push(
        (await closeTicket(ticket, false))
          ? `Обращение № ${ticket.id} закрыто`
          : `Обращение № ${ticket.id} уже было закрыто`,
      );
    }
    return { lines, exitCode: closed ? EXIT.ok : EXIT.failure };
  };
}
