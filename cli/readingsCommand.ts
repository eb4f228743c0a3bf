import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { periodText } from '#shared/format';
import { type ExportEncoding, readingsCsv, readingsOfPeriod } from '#shared/readings/export';
import { PERIOD_RE } from '#shared/time';
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
