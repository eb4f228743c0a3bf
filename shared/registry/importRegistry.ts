import { forgetCachedTariffs } from '#shared/billing/store';
import { hashNormalisedPassport, passportKey } from '#shared/passport';
import { type Decoded, type Delimiter, decode, parseCsv } from '#shared/registry/csv';
import { putProviders, servicesClaimedTwice } from '#shared/registry/providers';
import { byLine, type ImportReport, type RegistryKind, type RowError } from '#shared/registry/report';
import { findAccounts, putTariffs, upsertAccounts, upsertMeters } from '#shared/registry/repository';
import { type RowOf, type Validation, validateRows } from '#shared/registry/schemas';
import { now } from '#shared/time';

export interface ParsedRegistry<K extends RegistryKind> extends Validation<RowOf[K]> {
  kind: K;
  total: number;
  encoding: Decoded['encoding'];
  delimiter: Delimiter;
}

/** The pure stage: bytes to checked rows and the reasons of the rejected ones. No database. */
export function parseRegistry<K extends RegistryKind>(kind: K, bytes: Uint8Array): ParsedRegistry<K> {
  const { text, encoding } = decode(bytes);
  const table = parseCsv(text);
  const total = table.rows.length + table.errors.length;
  const base = { kind, total, encoding, delimiter: table.delimiter };
  if (table.fatal) return { ...base, rows: [], errors: [], fatal: table.fatal };
  return { ...base, ...validateRows(kind, table) };
}

/**
 * Imports one registry file: good rows are created or updated (a re-import updates them), bad
 * ones come back with their line and reason. Meters are checked against the accounts already
 * stored, so accounts are imported first.
 */
export async function importRegistry(kind: RegistryKind, bytes: Uint8Array): Promise<ImportReport> {
  const parsed = parseRegistry(kind, bytes);
  const report = (loaded: number, errors: RowError[]): ImportReport => ({
    kind,
    total: parsed.total,
    loaded,
    errors: [...errors].sort(byLine),
    encoding: parsed.encoding,
    delimiter: parsed.delimiter,
  });
  if (parsed.fatal) return report(0, [parsed.fatal]);

  const at = now();
  switch (parsed.kind) {
    case 'accounts': {
      const { rows, errors } = parsed as ParsedRegistry<'accounts'>;
      const key = await passportKey();
      await upsertAccounts(
        rows.map(({ row: { passport, owners, no_meter_possible, ...row } }) => ({
          ...row,
          owners: owners ?? 1,
          ...(no_meter_possible ? { noMeterPossible: no_meter_possible } : {}),
          passportHash: hashNormalisedPassport(passport, key),
        })),
        at,
      );
      return report(rows.length, errors);
    }
    case 'meters': {
      const { rows, errors } = parsed as ParsedRegistry<'meters'>;
      const accounts = await findAccounts(rows.map(({ row }) => row.account));
      const accepted: typeof rows = [];
      const rejected = [...errors];
      for (const item of rows) {
        const reason = meterAccountProblem(item.row, accounts.get(item.row.account));
        if (reason) rejected.push({ line: item.line, reason });
        else accepted.push(item);
      }
      await upsertMeters(
        accepted.map(({ row }) => ({
          account: row.account,
          serial: row.meter,
          service: row.service,
          initialReading: row.reading,
          verifiedUntil: row.verifiedUntil,
          digits: row.digits,
          ...(row.installed ? { installed: row.installed } : {}),
        })),
        at,
      );
      return report(accepted.length, rejected);
    }
    case 'tariffs': {
      const { rows, errors } = parsed as ParsedRegistry<'tariffs'>;
      await putTariffs(
        rows.map(({ row }) => ({ ...row, ...(row.coefficient === undefined ? {} : { coefficient: row.coefficient }) })),
        at,
      );
      forgetCachedTariffs();
      return report(rows.length, errors);
    }
    case 'providers': {
      const { rows, errors } = parsed as ParsedRegistry<'providers'>;
      const twice = servicesClaimedTwice(rows);
      const refused = new Set(twice.map((e) => e.line));
      const accepted = rows.filter(({ line }) => !refused.has(line));
      await putProviders(
        accepted.map(({ row }) => row),
        at,
      );
      return report(accepted.length, [...errors, ...twice]);
    }
  }
}

/** The repository stage of a meter row: its account must exist and be billed for its service. */
export function meterAccountProblem(
  row: RowOf['meters'],
  account: { services?: readonly string[] } | undefined,
): string | undefined {
  if (!account) return `account — лицевой счёт ${row.account} не найден: сначала импортируйте accounts`;
  if (account.services && !account.services.includes(row.service)) {
    return `service — услуга ${row.service} не начисляется по счёту ${row.account} (services: ${account.services.join(' ')})`;
  }
  return undefined;
}
