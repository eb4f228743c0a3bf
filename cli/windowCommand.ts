import { dateText } from '#shared/format';
import { moscowClock, moscowDate } from '#shared/time';
import type { WindowStatus } from '#shared/window/readingWindow';
import { currentWindow, setWindow } from '#shared/window/windowStore';
import { type CommandResult, EXIT, positionalsOf, UsageError } from './output';

const SOURCE_NAMES: Record<WindowStatus['source'], string> = {
  calendar: 'по календарю',
  schedule: 'по расписанию',
  operator: 'оператором',
};

/** `window open|close|status`: an operator's open or close holds until the calendar's next change. */
export async function windowCommand(args: readonly string[]): Promise<() => Promise<CommandResult>> {
  const usage = 'window open|close|status';
  const [action, ...rest] = positionalsOf(args, usage);
  if (rest.length > 0) throw new UsageError(`ожидается: ${usage}`);
  const change = { open: true, close: false, status: undefined } as const;
  if (action !== 'open' && action !== 'close' && action !== 'status') throw new UsageError(`ожидается: ${usage}`);
  const open = change[action];
  return async () => ({
    lines: describeWindow(open === undefined ? await currentWindow() : await setWindow(open, 'operator')),
    exitCode: EXIT.ok,
  });
}

/** "25.11.2026 00:00 МСК": operators read Moscow wall-clock time, whatever the machine's zone. */
export function moscowDateTime(iso: string): string {
  const at = new Date(iso);
  return `${dateText(moscowDate(at))} ${moscowClock(at)} МСК`;
}

export function describeWindow(status: WindowStatus): string[] {
  const state = status.open ? 'открыто' : 'закрыто';
  return [
    `Окно приёма показаний: ${state} (${SOURCE_NAMES[status.source]})`,
    `${status.open ? 'Открыто с:' : 'Откроется:'} ${moscowDateTime(status.opensAt)}`,
    `Закроется: ${moscowDateTime(status.closesAt)}`,
  ];
}
