import { writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { periodText } from '#shared/format';
import { type ExportEncoding, readingsCsv, readingsOfPeriod } from '#shared/readings/export';
import { importReadings, type ReadingsImportReport } from '#shared/readings/import';
import { formatRowError } from '#shared/registry/report';
import { PERIOD_RE } from '#shared/time';
import { ENCODING_NAMES, readInput } from './input';
import { type CommandResult, EXIT, UsageError } from './output';

const ENCODINGS: Record<string, ExportEncoding> = {
  utf8: 'utf8',
  'utf-8': 'utf8',
  cp1251: 'cp1251',
  'windows-1251': 'cp1251',
};

/** `readings export --period YYYY-MM [--encoding utf8|cp1251] FILE`: the period's readings as CSV. */
export async function readingsCommand(args: readonly string[]): Promise<() => Promise<CommandResult>> {
  const usage = 'readings export --period ГГГГ-ММ [--encoding utf8|cp1251] FILE';
  let parsed: ReturnType<typeof parse>;
  const parse = (a: readonly string[]) =>
    parseArgs({
      args: [...a],
      allowPositionals: true,
      strict: true,
      options: { period: { type: 'string' }, encoding: { type: 'string', default: 'utf8' } },
    });
  try {
    parsed = parse(args);
  } catch {
    throw new UsageError(`ожидается: ${usage}`);
  }
  const [action, file, ...rest] = parsed.positionals;
  if (action !== 'export' || !file || rest.length > 0) throw new UsageError(`ожидается: ${usage}`);
  const { period } = parsed.values;
  if (!period || !PERIOD_RE.test(period)) throw new UsageError(`укажите период: --period ГГГГ-ММ (${usage})`);
  const encoding = ENCODINGS[String(parsed.values.encoding).toLowerCase()];
  if (!encoding) throw new UsageError('кодировка: --encoding utf8 (UTF-8 с BOM, по умолчанию) или cp1251');
  return async () => {
    const rows = await readingsOfPeriod(period);
    await writeFile(file, readingsCsv(rows, encoding));
    return {
      lines: [
        `Показания за ${periodText(period)}: ${rows.length} (счётчиков) → ${file}`,
        `Формат: CSV, разделитель «;», десятичная запятая, ${encoding === 'cp1251' ? 'Windows-1251' : 'UTF-8 с BOM'}`,
      ],
      exitCode: EXIT.ok,
    };
  };
}

/** `import readings FILE`: readings taken by the centre, through the portal's rules; exit 1 if any row was refused. */
export async function importReadingsCommand(file: string): Promise<() => Promise<CommandResult>> {
  const bytes = await readInput(file);
  return async () => {
    const report = await importReadings(bytes);
    return {
      lines: describeReadingsImport(report, basename(file)),
      exitCode: report.errors.length > 0 ? EXIT.rowsRefused : EXIT.ok,
    };
  };
}

export function describeReadingsImport(report: ReadingsImportReport, fileName: string): string[] {
  const refused = new Set(report.errors.map((e) => e.line)).size;
  const lines = [
    `Импорт readings из ${fileName} (${ENCODING_NAMES[report.encoding]}, разделитель «${report.delimiter}»)`,
    `Записей в файле: ${report.total}; загружено: ${report.loaded}; без изменений: ${report.unchanged}; ` +
      `отклонено: ${refused}`,
  ];
  if (report.warnings.length > 0) {
    lines.push('Проверьте:', ...report.warnings.map((w) => `  ${formatRowError(w)}`));
  }
  if (report.errors.length > 0) lines.push('Ошибки:', ...report.errors.map((e) => `  ${formatRowError(e)}`));
  return lines;
}
