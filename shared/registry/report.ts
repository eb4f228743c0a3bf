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
