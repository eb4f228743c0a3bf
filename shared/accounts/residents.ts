import { randomBytes } from 'node:crypto';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { emailChangeMail } from '#shared/accounts/mails';
import { type Credentials, credentialsKey, getCredentials, getProfile } from '#shared/accounts/store';
import { consumeTokenOperation, invalidToken, issueToken, peekToken } from '#shared/accounts/tokens';
import { balanceOf } from '#shared/billing/balance';
import { db, tableName } from '#shared/clients/dynamo';
import { sendMail } from '#shared/clients/mail';
import { config } from '#shared/config';
import { DomainError } from '#shared/errors';
import { keys } from '#shared/keys';
import { setReminderSubscription } from '#shared/readings/reminderSubscription';
import { now } from '#shared/time';

/** A session whose cabinet has gone (ownership transfer, closure) is treated as logged out. */
async function cabinet(account: string): Promise<Credentials> {
  const credentials = await getCredentials(account);
  if (!credentials) throw DomainError.of('unauthorized');
  return credentials;
}

export async function me(account: string) {
  const [profile, credentials, balance] = await Promise.all([
    getProfile(account),
    cabinet(account),
    balanceOf(account),
  ]);
  if (!profile) throw DomainError.of('unauthorized');
  return {
    account,
    owner: profile.owner,
    address: profile.address,
    email: credentials.email,
    area: profile.area,
    residents: profile.residents,
    balance,
  };
}

export async function profileOf(account: string) {
  const [profile, credentials] = await Promise.all([getProfile(account), cabinet(account)]);
  return {
    account,
    owner: profile?.owner ?? '',
    address: profile?.address ?? '',
    email: credentials.email,
    pendingEmail: credentials.pendingEmail ?? null,
    phone: credentials.phone ?? null,
    remindersOptIn: credentials.remindersOptIn,
    billByEmail: credentials.billByEmail,
    consent: credentials.consent,
    registeredAt: credentials.registeredAt,
  };
}

export async function updateProfile(
  account: string,
  changes: { phone?: string | undefined; remindersOptIn?: boolean | undefined; billByEmail?: boolean | undefined },
) {
  const set: string[] = [];
  const remove: string[] = [];
  const values: Record<string, unknown> = {};
  if (changes.phone !== undefined) {
    if (changes.phone === '') remove.push('phone');
    else {
      set.push('phone = :phone');
      values[':phone'] = changes.phone;
    }
  }
  for (const flag of ['remindersOptIn', 'billByEmail'] as const) {
    if (changes[flag] !== undefined) {
      set.push(`${flag} = :${flag}`);
      values[`:${flag}`] = changes[flag];
    }
  }
  await cabinet(account);
  await db().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: credentialsKey(account),
      UpdateExpression: [set.length ? `SET ${set.join(', ')}` : '', remove.length ? `REMOVE ${remove.join(', ')}` : '']
        .join(' ')
        .trim(),
      ConditionExpression: 'attribute_exists(pk)',
      ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
    }),
  );
  if (changes.remindersOptIn !== undefined) await setReminderSubscription(account, changes.remindersOptIn);
  return profileOf(account);
}

/** E-mail change: the new address confirms itself by a link; until then the old one stays. */
export async function requestEmailChange(account: string, email: string): Promise<void> {
  await cabinet(account);
  await db().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: credentialsKey(account),
      UpdateExpression: 'SET pendingEmail = :email',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':email': email },
    }),
  );
  const token = await issueToken('email', account, { email });
  await sendMail(emailChangeMail(email, account, token));
}

export async function confirmEmailChange(token: string): Promise<void> {
  const { account, data } = await peekToken<{ email: string }>(token, 'email');
  try {
    await db().send(
      new TransactWriteCommand({
        TransactItems: [
          consumeTokenOperation(token),
          {
            Update: {
              TableName: tableName(),
              Key: credentialsKey(account),
              UpdateExpression: 'SET email = :email REMOVE pendingEmail',
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeValues: { ':email': data.email },
            },
          },
        ],
      }),
    );
  } catch (error) {
    if (error instanceof TransactionCanceledException) throw invalidToken();
    throw error;
  }
}

const TOPIC_TITLES = {
  question: 'Вопрос',
  readings: 'Показания счётчиков',
  payments: 'Оплата',
  close_cabinet: 'Закрытие личного кабинета',
} as const;

export interface SupportInput {
  account?: string | undefined;
  name: string;
  address?: string | undefined;
  email: string;
  phone?: string | undefined;
  topic: keyof typeof TOPIC_TITLES;
  message: string;
}

/**
 * A support request: stored as a ticket (under the account when the resident is logged in) and
 * mailed to the centre's support address. A request to close the cabinet goes the same way.
 */
export async function createTicket(input: SupportInput, sessionAccount: string | undefined) {
  const createdAt = now().toISOString();
  const id = `${createdAt.slice(0, 10).replaceAll('-', '')}-${randomBytes(3).toString('hex').toUpperCase()}`;
  const account = sessionAccount ?? (input.account || undefined);
  // A guest's ticket is not filed under the account it names: anyone can type any number.
  const key = sessionAccount
    ? keys.supportTicket(sessionAccount, createdAt, id)
    : { pk: `GUEST_TICKETS#${createdAt.slice(0, 10)}`, sk: `${keys.ticketPrefix}${createdAt}#${id}` };
  await db().send(
    new PutCommand({
      TableName: tableName(),
      Item: {
        ...key,
        entity: 'ticket',
        id,
        account: account ?? null,
        verifiedAccount: Boolean(sessionAccount),
        name: input.name,
        address: input.address ?? null,
        email: input.email,
        phone: input.phone || null,
        topic: input.topic,
        message: input.message,
        status: 'new',
        createdAt,
      },
    }),
  );
  const lines = [
    `Обращение № ${id} (${TOPIC_TITLES[input.topic]})`,
    `Лицевой счёт: ${account ?? 'не указан'}${sessionAccount ? ' (житель вошёл в личный кабинет)' : ' (не подтверждён входом)'}`,
    `ФИО: ${input.name}`,
    `Адрес: ${input.address || '—'}`,
    `E-mail: ${input.email}`,
    `Телефон: ${input.phone || '—'}`,
    '',
    input.message,
  ];
  await sendMail({
    to: config().supportEmail,
    subject: `Обращение № ${id}: ${TOPIC_TITLES[input.topic]}`,
    text: lines.join('\n'),
  });
  return { id, message: `Обращение № ${id} принято. Ответ придёт на ${input.email}.` };
}

export async function ticketsOf(account: string) {
  const out = await db().send(
    new QueryCommand({
      TableName: tableName(),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.account(account).pk, ':prefix': keys.ticketPrefix },
      ScanIndexForward: false,
      Limit: 100,
    }),
  );
  return {
    items: (out.Items ?? []).map((t) => ({
      id: String(t.id),
      topic: t.topic as SupportInput['topic'],
      message: String(t.message),
      status: t.status as 'new' | 'in_progress' | 'closed',
      createdAt: String(t.createdAt),
    })),
  };
}
