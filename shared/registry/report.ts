import type * as z from 'zod/mini';
import type { Delimiter, Encoding } from '#shared/registry/csv';

/** The registry files an operator imports. */
export const REGISTRY_KINDS = ['accounts', 'meters', 'tariffs', 'providers'] as const;
export type RegistryKind = (typeof REGISTRY_KINDS)[number];

export function isRegistryKind(value: string): value is RegistryKind {
  return (REGISTRY_KINDS as readonly string[]).includes(value);
}

/** A rejected row (or the header, line 1, for a problem with the file): reason in Russian. */
export interface RowError {
  line: number;
  /** Names the column first: "passport — ожидаются серия и номер паспорта: 10 цифр". */
  reason: string;
}

export interface ImportReport {
  kind: RegistryKind;
  /** Data records in the file (the header and blank lines are not counted). */
  total: number;
  /** Records written (created or updated). */
  loaded: number;
  /** Sorted by line. Passport values never appear here. */
  errors: RowError[];
  encoding?: Encoding;
  delimiter?: Delimiter;
}

/** "строка 5: passport — ..." as the operator reads it. */
export function formatRowError(error: RowError): string {
  return `строка ${error.line}: ${error.reason}`;
}

export function byLine(a: RowError, b: RowError): number {
  return a.line - b.line;
}

/** Reasons of a row, one per column, each naming its column: "area — не заполнено". */
export function reasonOf(error: z.core.$ZodError): string {
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const issue of error.issues) {
    const name = String(issue.path[0] ?? '');
    if (seen.has(name)) continue;
    seen.add(name);
    parts.push(name ? `${name} — ${issue.message}` : issue.message);
  }
  return parts.join('; ');
}
