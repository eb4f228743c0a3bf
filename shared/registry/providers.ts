import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { db, queryAll, tableName } from '#shared/clients/dynamo';
import { keys } from '#shared/keys';
import type { ServiceId } from '#shared/registry/services';

/**
 * The providers (исполнители) of the services the centre bills, as the ЕПД must name them
 * (Приказ Минстроя России № 43/пр, section 1): the management company for maintenance, the water
 * utility for water and wastewater, and so on. The centre collects the money as their payment
 * agent (103-ФЗ), so the payee of the bill stays the centre; the providers' own requisites are
 * printed for reference. Imported with `npm run rac -- import providers FILE`.
 *
 * Items (keys.provider, keys.serviceProvider) share one small partition `PROVIDER`, read whole:
 * one per provider, and one per service naming its provider, so a service moved to another
 * provider by a later import belongs to that one alone. A service no provider claims is the
 * centre's own (as before providers were imported).
 */

export interface ProviderBank {
  name: string;
  bic: string;
  correspondentAccount: string;
  settlementAccount: string;
}

export interface Provider {
  /** The file's code, stable across imports. */
  provider: string;
  name: string;
  inn: string;
  kpp?: string;
  address: string;
  phone: string;
  email?: string;
  services: ServiceId[];
  bank?: ProviderBank;
}

export interface ProviderDirectory {
  providers: Provider[];
  /** The provider code of each service that has one. */
  byService: Partial<Record<ServiceId, string>>;
}

const BATCH_WRITE_SIZE = 25;

/** Creates or replaces providers and points each of their services at them. */
export async function putProviders(providers: readonly Provider[], at: Date): Promise<void> {
  const updatedAt = at.toISOString();
  const items = providers.flatMap((p) => [
    { ...keys.provider(p.provider), entity: 'provider', ...p, updatedAt },
    ...p.services.map((service) => ({
      ...keys.serviceProvider(service),
      entity: 'serviceProvider',
      service,
      provider: p.provider,
      updatedAt,
    })),
  ]);
  for (let i = 0; i < items.length; i += BATCH_WRITE_SIZE) {
    let pending: Record<string, unknown>[] | undefined = items
      .slice(i, i + BATCH_WRITE_SIZE)
      .map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; pending && pending.length > 0; attempt++) {
      if (attempt > 8) throw new Error('DynamoDB left provider items unprocessed after retries');
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.random() * 50 * 2 ** attempt));
      const out = await db().send(new BatchWriteCommand({ RequestItems: { [tableName()]: pending as never } }));
      pending = out.UnprocessedItems?.[tableName()] as Record<string, unknown>[] | undefined;
    }
  }
}

/** The whole directory: one query of the `PROVIDER` partition (a few dozen items). */
export async function loadProviders(): Promise<ProviderDirectory> {
  const items = await queryAll<Record<string, unknown>>({
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': keys.providers },
  });
  const byService: ProviderDirectory['byService'] = {};
  const providers: Provider[] = [];
  for (const item of items) {
    if (item.entity === 'serviceProvider') byService[item.service as ServiceId] = String(item.provider);
    else if (item.entity === 'provider') {
      const { pk: _pk, sk: _sk, entity: _entity, updatedAt: _at, ...provider } = item;
      providers.push(provider as unknown as Provider);
    }
  }
  return { providers, byService };
}

const CACHE_MS = 5 * 60_000;
let cache: { at: number; directory: Promise<ProviderDirectory> } | undefined;

/** The directory, read at most every 5 minutes per container, like the tariffs; failures are not cached. */
export function cachedProviders(): Promise<ProviderDirectory> {
  if (!cache || Date.now() - cache.at > CACHE_MS) {
    const loading = loadProviders();
    cache = { at: Date.now(), directory: loading };
    loading.catch(() => {
      if (cache?.directory === loading) cache = undefined;
    });
  }
  return cache.directory;
}

export function resetProviderCacheForTests(): void {
  cache = undefined;
}

/**
 * The rows of one providers file that claim a service another row of the file already claimed:
 * a service has one provider, so the second claim is refused (by line).
 */
export function servicesClaimedTwice(
  rows: ReadonlyArray<{ line: number; row: { provider: string; services: readonly ServiceId[] } }>,
): Array<{ line: number; reason: string }> {
  const claimed = new Map<ServiceId, { line: number; provider: string }>();
  const errors: Array<{ line: number; reason: string }> = [];
  for (const { line, row } of rows) {
    const taken = row.services.filter((s) => claimed.has(s));
    if (taken.length > 0) {
      const first = claimed.get(taken[0] as ServiceId);
      errors.push({
        line,
        reason: `services — ${taken.join(', ')} уже у исполнителя ${first?.provider} (строка ${first?.line}): у услуги один исполнитель`,
      });
      continue;
    }
    for (const s of row.services) claimed.set(s, { line, provider: row.provider });
  }
  return errors;
}
