import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { decode, detectDelimiter, parseCsv } from '#shared/registry/csv';

const SAMPLE = 'account;owner\n100001;Иванова Мария Петровна\n';

describe('decode', () => {
  it('reads UTF-8 without a BOM', () => {
    expect(decode(Buffer.from(SAMPLE, 'utf8'))).toEqual({ text: SAMPLE, encoding: 'utf-8' });
  });

  it('reads UTF-8 with a BOM and drops the BOM', () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(SAMPLE, 'utf8')]);
    expect(decode(bytes)).toEqual({ text: SAMPLE, encoding: 'utf-8' });
  });

  it('reads Windows-1251 when the bytes are not UTF-8', () => {
    const bytes = iconv.encode(SAMPLE, 'win1251');
    expect(decode(bytes)).toEqual({ text: SAMPLE, encoding: 'windows-1251' });
  });

  it('reads Windows-1251 with every Cyrillic letter, ё and № included', () => {
    const text = 'АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯабвгдеёжзийклмнопрстуфхцчшщъыьэюя №';
    expect(decode(iconv.encode(text, 'win1251')).text).toBe(text);
  });

  it('reads UTF-16 with its BOM, as Excel saves "Unicode text"', () => {
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(SAMPLE, 'utf16le')]);
    expect(decode(bytes)).toEqual({ text: SAMPLE, encoding: 'utf-16le' });
  });

  it('reads plain ASCII as UTF-8', () => {
    expect(decode(Buffer.from('a;b\n1;2\n')).encoding).toBe('utf-8');
  });
});

describe('detectDelimiter', () => {
  it.each([
    ['account;owner;passport', ';'],
    ['account,owner,passport', ','],
    ['"a,b";c;d', ';'],
    ['"a;b",c,d', ','],
    ['account', ';'],
  ] as const)('%j → %j', (header, delimiter) => {
    expect(detectDelimiter(header)).toBe(delimiter);
  });
});

describe('parseCsv', () => {
  it('detects the delimiter from the header and names columns in lower case, trimmed', () => {
    const table = parseCsv(' Account , OWNER \n100001,Иванова\n');
    expect(table.delimiter).toBe(',');
    expect(table.columns).toEqual(['account', 'owner']);
    expect(table.rows).toEqual([{ line: 2, values: { account: '100001', owner: 'Иванова' } }]);
  });

  it('numbers lines from 1, skipping blank lines and lines of bare delimiters', () => {
    const table = parseCsv('a;b\n\n1;2\n;;\n   \n3;4\n');
    expect(table.rows.map((r) => r.line)).toEqual([3, 6]);
  });

  it('reports the line a record starts on when a quoted value spans lines', () => {
    const table = parseCsv('a;b\n1;"one\ntwo\nthree"\n2;x\n3;y\n');
    expect(table.rows).toEqual([
      { line: 2, values: { a: '1', b: 'one\ntwo\nthree' } },
      { line: 5, values: { a: '2', b: 'x' } },
      { line: 6, values: { a: '3', b: 'y' } },
    ]);
  });

  it('counts CRLF and mixed line endings alike', () => {
    const table = parseCsv('a;b\r\n1;x\r\n2;"p\r\nq"\n3;z\r\n');
    expect(table.rows.map((r) => [r.line, r.values.b])).toEqual([
      [2, 'x'],
      [3, 'p\nq'],
      [5, 'z'],
    ]);
  });

  it('treats the header after leading blank lines as the header, with its line', () => {
    const table = parseCsv('\n\na;b\n1;2\n');
    expect(table.headerLine).toBe(3);
    expect(table.rows[0]?.line).toBe(4);
  });

  it('keeps a stray quote inside an unquoted value', () => {
    const table = parseCsv('a;b\n1;ООО "Ромашка"\n');
    expect(table.rows[0]?.values.b).toBe('ООО "Ромашка"');
  });

  it('fills missing trailing fields with empty values and ignores empty surplus fields', () => {
    const table = parseCsv('a;b;c\n1;2\n3;4;5;;\n');
    expect(table.rows).toEqual([
      { line: 2, values: { a: '1', b: '2', c: '' } },
      { line: 3, values: { a: '3', b: '4', c: '5' } },
    ]);
    expect(table.errors).toEqual([]);
  });

  it('refuses a record with surplus values: an unquoted delimiter inside a value', () => {
    const table = parseCsv(
      'account,address\n100001,г. Старый Оскол, мкр. Жукова\n100002,"г. Старый Оскол, ул. Ленина"\n',
    );
    expect(table.errors).toEqual([{ line: 2, reason: expect.stringMatching(/полей 3, а в заголовке 2.*кавычки/) }]);
    expect(table.rows).toEqual([{ line: 3, values: { account: '100002', address: 'г. Старый Оскол, ул. Ленина' } }]);
  });

  it('stops at an unclosed quote and names the line where the broken record starts', () => {
    const table = parseCsv('a;b\n1;x\n\n2;"broken\n3;y\n4;z\n');
    expect(table.rows).toEqual([]);
    expect(table.fatal).toEqual({ line: 4, reason: expect.stringContaining('кавычка не закрыта') });
  });

  it('keeps text after a closing quote literally, for the row checks to judge', () => {
    const table = parseCsv('a;b\n1;"x"y\n');
    expect(table.fatal).toBeUndefined();
    expect(table.rows[0]?.values.b).toBe('"x"y');
  });

  it('refuses an empty file and a header that names a column twice', () => {
    expect(parseCsv('').fatal).toEqual({ line: 1, reason: expect.stringContaining('файл пуст') });
    expect(parseCsv('\n;;\n').fatal).toEqual({ line: 1, reason: expect.stringContaining('файл пуст') });
    expect(parseCsv('a;A\n1;2\n').fatal).toEqual({ line: 1, reason: 'столбец a указан в заголовке дважды' });
  });
});
