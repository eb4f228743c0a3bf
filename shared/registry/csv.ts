import { CsvError, parse } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import type { RowError } from '#shared/registry/report';

/**
 * Reading the CSV files that the centre's billing systems export: Excel and 1C write either UTF-8
 * (often with a BOM) or Windows-1251, with `;` (a Russian locale) or `,` as the delimiter.
 */

export type Encoding = 'utf-8' | 'utf-16le' | 'windows-1251';
export type Delimiter = ';' | ',';

export interface Decoded {
  text: string;
  encoding: Encoding;
}

/**
 * UTF-8 when the bytes are valid UTF-8 (the BOM, if any, is dropped), UTF-16 when they start with
 * its BOM (Excel's "Unicode text"), else Windows-1251: Cyrillic in Windows-1251 is practically
 * never valid UTF-8, because its letters are bytes 0xC0-0xFF that UTF-8 only allows as lead bytes.
 */
export function decode(bytes: Uint8Array): Decoded {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) {
    return { text: new TextDecoder('utf-16le').decode(bytes), encoding: 'utf-16le' };
  }
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8' };
  } catch {
    return { text: iconv.decode(Buffer.from(bytes), 'win1251'), encoding: 'windows-1251' };
  }
}

/** The delimiter that occurs more often in the header line, outside quotes; `;` on a tie. */
export function detectDelimiter(headerLine: string): Delimiter {
  let semicolons = 0;
  let commas = 0;
  let quoted = false;
  for (const ch of headerLine) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch === ';') semicolons++;
    else if (!quoted && ch === ',') commas++;
  }
  return commas > semicolons ? ',' : ';';
}

export interface CsvRow {
  /** 1-based line of the file where the record starts. */
  line: number;
  /** Values by lower-case column name; every header column is present (missing trailing fields: ''). */
  values: Record<string, string>;
}

export interface CsvTable {
  delimiter: Delimiter;
  /** Lower-case, trimmed column names, in file order. */
  columns: string[];
  headerLine: number;
  rows: CsvRow[];
  /** Records with more fields than the header. */
  errors: RowError[];
  /** A problem with the file as a whole (no header, broken quoting): nothing of it may load. */
  fatal?: RowError;
}

/**
 * Splits the text into records with the line each starts on. Values are trimmed; blank lines and
 * lines of bare delimiters (";;;;", as Excel leaves them) are skipped. Quoting errors stop the
 * whole file: the parser cannot tell where the broken record ends, so nothing after it is reliable.
 */
export function parseCsv(input: string): CsvTable {
  // One line ending: csv-parse guesses the record delimiter from the first line, and files
  // stitched together by hand mix CRLF and LF.
  const text = input.replace(/\r\n?/g, '\n');
  const firstLine = text.split('\n').find((l) => l.trim() !== '') ?? '';
  const delimiter = detectDelimiter(firstLine);
  const empty: CsvTable = { delimiter, columns: [], headerLine: 1, rows: [], errors: [] };

  let records: { record: string[]; info: { lines: number } }[];
  let lastRecordEnd = 0;
  try {
    records = parse(text, {
      delimiter,
      info: true,
      relax_column_count: true,
      // A stray quote inside an unquoted value (ООО "Ромашка") is kept as a character.
      relax_quotes: true,
      skip_empty_lines: true,
      on_record: (record, context) => {
        lastRecordEnd = context.lines;
        return record;
      },
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (error) {
    if (error instanceof CsvError) {
      // The broken record starts on the first non-blank line after the last whole one.
      const lines = text.split('\n');
      let line = lastRecordEnd + 1;
      while (line < lines.length && lines[line - 1]?.trim() === '') line++;
      return { ...empty, fatal: { line, reason: csvErrorReason(error) } };
    }
    throw error;
  }

  const withLines = records
    .filter(({ record }) => record.some((v) => v.trim() !== ''))
    .map(({ record, info }) => ({
      // info.lines is the line the record ends on; a quoted value may span several lines.
      line: info.lines - record.reduce((n, v) => n + countNewlines(v), 0),
      fields: record.map((v) => v.trim()),
    }));

  const header = withLines[0];
  if (!header)
    return { ...empty, fatal: { line: 1, reason: 'файл пуст: нужна строка заголовка с названиями столбцов' } };

  const columns = header.fields.map((name) =>
    name
      .replace(/^\uFEFF/, '')
      .trim()
      .toLowerCase(),
  );
  const table: CsvTable = { delimiter, columns, headerLine: header.line, rows: [], errors: [] };
  const seen = new Set<string>();
  for (const name of columns) {
    if (name && seen.has(name)) {
      return { ...table, fatal: { line: header.line, reason: `столбец ${name} указан в заголовке дважды` } };
    }
    seen.add(name);
  }

  for (const { line, fields } of withLines.slice(1)) {
    // Surplus fields with text mean a value held the delimiter unquoted ("г. Старый Оскол, мкр.");
    // empty surplus (trailing ";;") and missing trailing fields are what spreadsheets do.
    if (fields.slice(columns.length).some((v) => v !== '')) {
      table.errors.push({ line, reason: surplusReason(fields.length, columns.length, delimiter) });
      continue;
    }
    const values: Record<string, string> = {};
    columns.forEach((name, i) => {
      if (name) values[name] = fields[i] ?? '';
    });
    table.rows.push({ line, values });
  }
  return table;
}

function countNewlines(value: string): number {
  let n = 0;
  for (const ch of value) if (ch === '\n') n++;
  return n;
}

function surplusReason(found: number, expected: number, delimiter: Delimiter): string {
  return `полей ${found}, а в заголовке ${expected}: значение с «${delimiter}» нужно заключить в кавычки`;
}

function csvErrorReason(error: CsvError): string {
  switch (error.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'кавычка не закрыта до конца файла; файл не загружен';
    case 'CSV_INVALID_CLOSING_QUOTE':
      return 'после закрывающей кавычки должен идти разделитель; файл не загружен';
    default:
      return `файл не разобран как CSV (${error.code}); файл не загружен`;
  }
}
