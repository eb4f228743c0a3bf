import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { startLocalQueues } from '#local/queue';
import { importKeyRates } from '#shared/billing/keyRatesImport';
import { type BalancesReport, importOpeningBalances } from '#shared/billing/openingBalances';
import { BillingRefused, checkBillable, closedPeriod, startBillingRun } from '#shared/billing/run';
import { type BillingRun, getRun, runsOf } from '#shared/billing/store';
import { config } from '#shared/config';
import { periodTitle, typesetRoubles } from '#shared/format';
import { logger } from '#shared/logger';
import { formatRowError } from '#shared/registry/report';
import { PERIOD_RE } from '#shared/time';
import { ENCODING_NAMES, readInput } from './input';
import { type CommandResult, EXIT, UsageError } from './output';

/**
 * `billing run [--period YYYY-MM]`: charges every account for a closed month (default: the last
 * one), through the same fan-out as the monthly schedule. Locally the queue's messages are handled
 * in this process (bounded concurrency) and the command waits for the whole run; with
 * RAC_RUNTIME=aws it sends the run to the billing queue (RAC_BILLING_QUEUE_URL) and returns.
 * `billing status [--period YYYY-MM]`: what the period's runs did.
 */
export async function billingCommand(args: readonly string[]): Promise<() => Promise<CommandResult>> {
  const usage = 'billing run|status [--period ГГГГ-ММ]';
  const parse = () =>
    parseArgs({ args: [...args], allowPositionals: true, strict: true, options: { period: { type: 'string' } } });
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse();
  } catch {
    throw new UsageError(`ожидается: ${usage}`);
  }
  const [action, ...rest] = parsed.positionals;
  const period = parsed.values.period;
  if ((action !== 'run' && action !== 'status') || rest.length > 0) throw new UsageError(`ожидается: ${usage}`);
  if (period !== undefined && !PERIOD_RE.test(period)) {
    throw new UsageError(`--period ${period}: ожидается месяц ГГГГ-ММ, например 2026-10`);
  }
  if (action === 'status') return async () => status(period ?? closedPeriod());
  try {
    checkBillable(period ?? closedPeriod());
  } catch (error) {
    if (error instanceof BillingRefused) throw new UsageError(error.message);
    throw error;
  }
  return () => run(period);
}

async function run(period: string | undefined): Promise<CommandResult> {
  // The run's own progress is this command's output; the functions' JSON logs would drown it.
  if (!process.env.POWERTOOLS_LOG_LEVEL) logger.setLogLevel('WARN');
  if (config().runtime === 'aws') {
    const started = await startBillingRun({ period, source: 'operator' });
    return {
      lines: [
        `Начисления за ${periodTitle(started.period)} (${started.period}) поставлены в очередь: ${started.shards} частей.`,
        `Ход выполнения: npm run rac -- billing status --period ${started.period}`,
      ],
      exitCode: EXIT.ok,
    };
  }
  const queues = startLocalQueues({ concurrency: 4, log: (m) => console.error(m) });
  try {
    const started = await startBillingRun({ period, source: 'operator' });
    await queues.drain();
    const result = await getRun(started.period, started.runId);
    if (!result) throw new Error('запись о запуске начислений не найдена');
    const lines = describeRun(result);
    if (queues.deadLetters.length > 0) {
      lines.push(
        `Не обработано сообщений очереди: ${queues.deadLetters.length} (повторите запуск: он продолжит с того же места)`,
      );
    }
    const incomplete = result.failed > 0 || queues.deadLetters.length > 0;
    return { lines, exitCode: incomplete ? EXIT.rowsRefused : EXIT.ok };
  } finally {
    queues.stop();
  }
}

async function status(period: string): Promise<CommandResult> {
  const runs = await runsOf(period);
  if (runs.length === 0) return { lines: [`Начисления за ${period} не запускались.`], exitCode: EXIT.ok };
  return { lines: runs.flatMap((r, i) => [...(i > 0 ? [''] : []), ...describeRun(r)]), exitCode: EXIT.ok };
}

export function describeRun(run: BillingRun): string[] {
  const done = run.shardsDone >= run.shards && run.batchesDone >= run.batchesPlanned;
  const lines = [
    `Начисления за ${periodTitle(run.period)} (${run.period}), запуск ${run.runId.split('#')[0]} (${run.source}): ${
      done ? 'завершены' : `выполняются — частей ${run.batchesDone} из ${run.batchesPlanned || '?'}`
    }`,
    `Лицевых счетов: ${run.accounts}; начислено: ${run.billed}; уже были начислены: ${run.alreadyBilled}; ` +
      `нечего начислять: ${run.nothingToBill}; не найдено: ${run.notFound}; с ошибкой данных: ${run.failed}`,
    `Сумма начислений: ${typesetRoubles(run.charged)}`,
  ];
  if (run.recalculated > 0) {
    lines.push(`Перерасчёты: по ${run.recalculated} сч. на ${typesetRoubles(run.recalcAmount)}`);
  }
  if (run.penalized) {
    lines.push(`Пени (ЖК РФ ст. 155 ч. 14): по ${run.penalized} сч. на ${typesetRoubles(run.penaltyAmount ?? 0)}`);
  }
  if (run.advanceApplied) {
    lines.push(
      `Зачтено авансов в счёт долга: по ${run.advanceApplied} сч. на ${typesetRoubles(run.advanceAmount ?? 0)}`,
    );
  }
  if (run.withoutKeyRate) {
    lines.push(
      `Пени не рассчитаны (нет ключевой ставки на нужную дату: npm run rac -- import key-rates): ${run.withoutKeyRate} сч.`,
    );
  }
  if (run.withoutTariff > 0) {
    lines.push(`Счетов с услугой без тарифа на этот месяц (услуга не начислена): ${run.withoutTariff}`);
  }
  if (run.failedAccounts?.length) lines.push(`Счета с ошибкой данных: ${run.failedAccounts.join(', ')}`);
  return lines.map((l) => l.replaceAll('\u00a0', ' '));
}

/** `import key-rates FILE`: the Bank of Russia key rate by day, for пени (shared/billing/keyRatesImport.ts). */
export async function importKeyRatesCommand(file: string): Promise<() => Promise<CommandResult>> {
  const bytes = await readInput(file);
  return async () => {
    const report = await importKeyRates(bytes);
    const format = report.encoding
      ? ` (${ENCODING_NAMES[report.encoding]}, разделитель «${report.delimiter ?? ';'}»)`
      : '';
    const lines = [
      `Импорт key-rates из ${basename(file)}${format}`,
      `Записей в файле: ${report.total}; загружено: ${report.loaded}; отклонено: ${Math.max(report.total - report.loaded, 0)}`,
    ];
    if (report.errors.length > 0) lines.push('Ошибки:', ...report.errors.map((e) => `  ${formatRowError(e)}`));
    return { lines, exitCode: report.errors.length > 0 ? EXIT.rowsRefused : EXIT.ok };
  };
}

/** `import balances FILE`: opening balances from the previous system (shared/billing/openingBalances.ts). */
export async function importBalancesCommand(file: string): Promise<() => Promise<CommandResult>> {
  const bytes = await readInput(file);
  return async () => {
    const report = await importOpeningBalances(bytes);
    return {
      lines: describeBalances(report, basename(file)),
      exitCode: report.errors.length > 0 ? EXIT.rowsRefused : EXIT.ok,
    };
  };
}

export function describeBalances(report: BalancesReport, fileName: string): string[] {
  const format = report.encoding
    ? ` (${ENCODING_NAMES[report.encoding]}, разделитель «${report.delimiter ?? ';'}»)`
    : '';
  const lines = [
    `Импорт balances из ${fileName}${format}`,
    `Записей в файле: ${report.total}; загружено: ${report.loaded} (без изменений: ${report.unchanged}); ` +
      `отклонено: ${Math.max(report.total - report.loaded, 0)}`,
  ];
  if (report.errors.length > 0) lines.push('Ошибки:', ...report.errors.map((e) => `  ${formatRowError(e)}`));
  return lines;
}
