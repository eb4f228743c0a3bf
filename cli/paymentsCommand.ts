import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { typesetRoubles } from '#shared/format';
import { type BankRegistryReport, importBankRegistry } from '#shared/payments/bankRegistry';
import { BANK_ID } from '#shared/payments/banks';
import { paymentsInReview } from '#shared/payments/store';
import { formatRowError } from '#shared/registry/report';
import { ENCODING_NAMES, readInput } from './input';
import { type CommandResult, EXIT, positionalsOf, UsageError } from './output';

/**
 * `import payments FILE [--bank sberbank]`: a bank's daily registry of payments by account number.
 * Exit 1 when a row or a reading was refused (everything else still loads).
 */
export async function importPaymentsCommand(args: readonly string[]): Promise<() => Promise<CommandResult>> {
  const usage = 'import payments FILE [--bank sberbank]';
  let parsed: { positionals: string[]; values: { bank?: string | undefined } };
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: { bank: { type: 'string' } },
      strict: true,
    });
  } catch {
    throw new UsageError(`ожидается: ${usage}`);
  }
  const [file, ...rest] = parsed.positionals;
  const bank = parsed.values.bank ?? 'sberbank';
  if (!file || rest.length > 0) throw new UsageError(`ожидается: ${usage}`);
  if (!BANK_ID.test(bank)) throw new UsageError('--bank: идентификатор банка латиницей, например sberbank');
  const bytes = await readInput(file);
  return async () => {
    const report = await importBankRegistry(bank, bytes);
    const refused = report.errors.length > 0 || report.readings.refused.length > 0;
    return { lines: describeBankRegistry(report, basename(file)), exitCode: refused ? EXIT.rowsRefused : EXIT.ok };
  };
}

export function describeBankRegistry(report: BankRegistryReport, fileName: string): string[] {
  const format = report.encoding ? ` (${ENCODING_NAMES[report.encoding]})` : '';
  const lines = [
    `Реестр платежей банка ${report.bank} из ${fileName}${format}`,
    `Платежей в файле: ${report.total}; зачислено: ${report.loaded}; уже получены онлайн: ${report.skippedOnline}; ` +
      `уже загружены ранее: ${report.skippedRepeated}; отклонено: ${report.errors.length}`,
    `Показания счётчиков: принято ${report.readings.accepted}; не принято ${report.readings.refused.length}`,
  ];
  if (report.errors.length > 0) lines.push('Ошибки:', ...report.errors.map((e) => `  ${formatRowError(e)}`));
  if (report.readings.refused.length > 0) {
    lines.push('Показания не приняты:', ...report.readings.refused.map((e) => `  ${formatRowError(e)}`));
  }
  return lines;
}

/** `payments review`: payments held for an operator (amount mismatch, money after a close). */
export async function paymentsCommand(args: readonly string[]): Promise<() => Promise<CommandResult>> {
  const usage = 'payments review';
  const [action, ...rest] = positionalsOf(args, usage);
  if (action !== 'review' || rest.length > 0) throw new UsageError(`ожидается: ${usage}`);
  return async () => {
    const items = await paymentsInReview(500);
    const lines = [`Платежей на проверке: ${items.length}`];
    for (const p of items) {
      const paid = p.paidAmount === undefined ? '' : `, банк списал ${typesetRoubles(p.paidAmount)}`;
      lines.push(
        `  ${p.id}: заказ на ${typesetRoubles(p.amount)}${paid}; причина: ${p.reason ?? '—'}; заказ банка ${p.orderId ?? '—'}`,
      );
    }
    return { lines, exitCode: EXIT.ok };
  };
}
