import { DeleteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { endAllSessions } from '#shared/accounts/sessions';
import { db, tableName } from '#shared/clients/dynamo';
import { keys } from '#shared/keys';

/** The registry's account record (imported by the operator; see shared/registry). */
export interface AccountProfile {
  account: string;
  owner: string;
  passportHash: string;
  address: string;
  area: string;
  residents: number;
  services?: string[];
  ownerChangedAt?: string;
}

/** The resident's cabinet: exists once the resident has registered and set a password. */
export interface Credentials {
  account: string;
  passwordHash: string;
  email: string;
  pendingEmail?: string;
  phone?: string;
  remindersOptIn: boolean;
  billByEmail: boolean;
  consent: { version: string; acceptedAt: string };
  registeredAt: string;
  passwordChangedAt: string;
}

export const credentialsKey = (account: string) => ({ pk: `ACC#${account}`, sk: 'CREDENTIALS' });

export async function getProfile(account: string): Promise<AccountProfile | undefined> {
  const out = await db().send(new GetCommand({ TableName: tableName(), Key: keys.account(account) }));
  return out.Item as AccountProfile | undefined;
}

export async function getCredentials(account: string, consistent = false): Promise<Credentials | undefined> {
  const out = await db().send(
    new GetCommand({ TableName: tableName(), Key: credentialsKey(account), ConsistentRead: consistent }),
  );
  return out.Item as Credentials | undefined;
}

/**
 * Ownership transfer (переоформление ЛС): the previous owner's password and sessions end; the
 * account's history (readings, charges, payments) stays with the account for the new owner.
 */
export async function endCabinetAccess(account: string): Promise<void> {
  await db().send(new DeleteCommand({ TableName: tableName(), Key: credentialsKey(account) }));
  await endAllSessions(account);
}
