import { basename } from 'node:path';
import { importRegistry } from '#shared/registry/importRegistry';
import { formatRowError, type ImportReport, isRegistryKind, REGISTRY_KINDS } from '#shared/registry/report';
import { importBalancesCommand, importKeyRatesCommand } from './billingCommand';
import { ENCODING_NAMES, readInput } from './input';
import { type CommandResult, EXIT, positionalsOf, UsageError } from './output';
import { importReadingsCommand } from './readingsCommand';

/** `import accounts|meters|tariffs FILE`: exit 1 when any row was refused, the rest still load. */
export async function importCommand(args: readonly string[]): Promise<() => Promise<CommandResult>> {
  const usage = `import ${REGISTRY_KINDS.join('|')}|balances|readings|key-rates FILE`;
  const [kind, file, ...rest] = positionalsOf(args, usage);
  // Opening balances are the ledger's, not the registry's: billing reads and writes them.
  if (kind === 'balances' && file && rest.length === 0) return importBalancesCommand(file);
  // Key rates are billing's (пени), not the registry's.
  if (kind === 'key-rates' && file && rest.length === 0) return importKeyRatesCommand(file);
  // Readings go through the readings rules (shared/readings/import.ts), not the registry's upsert.
  if (kind === 'readings' && file && rest.length === 0) return importReadingsCommand(file);
  if (!kind || !isRegistryKind(kind) || !file || rest.length > 0) throw new UsageError(`ожидается: ${usage}`);
  const bytes = await readInput(file);
  return async () => {
    const report = await importRegistry(kind, bytes);
    return {
      lines: describeReport(report, basename(file)),
      exitCode: report.errors.length > 0 ? EXIT.rowsRefused : EXIT.ok,
    };
  };
}

export function describeReport(report: ImportReport, fileName: string): string[] {
  const format = report.encoding
    ? ` (${ENCODING_NAMES[report.encoding]}, разделитель «${report.delimiter ?? ';'}»)`
    : '';
  const bad = report.total - report.loaded;
  const lines = [
    `Импорт ${report.kind} из ${fileName}${format}`,
    `Записей в файле: ${report.total}; загружено: ${report.loaded}; отклонено: ${Math.max(bad, 0)}`,
  ];
  if (report.errors.length > 0) {
    lines.push('Ошибки:', ...report.errors.map((e) => `  ${formatRowError(e)}`));
  }
  return lines;
}
