import { readFile } from 'node:fs/promises';
import { UsageError } from './output';

/** How an import report names the encoding it detected (shared/registry/csv decoding). */
export const ENCODING_NAMES = { 'utf-8': 'UTF-8', 'utf-16le': 'UTF-16', 'windows-1251': 'Windows-1251' } as const;

/** An import command's file, read before anything connects: a missing or unreadable one is a UsageError. */
export async function readInput(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new UsageError(
      code === 'ENOENT' ? `файл ${file} не найден` : `файл ${file} не прочитан (${code ?? 'ошибка чтения'})`,
    );
  }
}
