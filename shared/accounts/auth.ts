import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { verifyCaptcha } from '#shared/accounts/captcha';
import { CONSENT } from '#shared/accounts/consent';
import { registrationMail, resetMail } from '#shared/accounts/mails';
import { assertAcceptablePassword, dummyPasswordHash, hashPassword, verifyPassword } from '#shared/accounts/passwords';
import { endAllSessions, openSession } from '#shared/accounts/sessions';
import { type Credentials, credentialsKey, getCredentials, getProfile } from '#shared/accounts/store';
import { consumeTokenOperation, invalidToken, issueToken, peekToken } from '#shared/accounts/tokens';
import { db, tableName } from '#shared/clients/dynamo';
import { sendMail } from '#shared/clients/mail';
import { DomainError } from '#shared/errors';
import { keys } from '#shared/keys';
import { passportMatches } from '#shared/passport';
import { subscribeOperation } from '#shared/readings/reminderSubscription';
import { now } from '#shared/time';

/** The consent residents accept at registration (shared with the site); its version is stored. */
export const CONSENT_VERSION = CONSENT.version;

export const dataMismatch = () => DomainError.of('data_mismatch');

export const alreadyRegistered = () => DomainError.of('already_registered');

export interface RegisterInput {
  account: string;
  passport: string;
  email: string;
  captchaId: string;
  captchaAnswer: string;
}

/** Registration: the registry's data must match; a mailed link then lets the resident set a password. */
export async function register(input: RegisterInput): Promise<void> {
  await verifyCaptcha(input.captchaId, input.captchaAnswer);
  const profile = await getProfile(input.account);
  // Which field was wrong is never said: that would confirm half of someone's passport data.
  if (!profile || !(await passportMatches(profile.passportHash, input.passport))) throw dataMismatch();
  if (await getCredentials(input.account, true)) throw alreadyRegistered();
  const token = await issueToken('register', input.account, {
    email: input.email,
    passportHash: profile.passportHash,
    consent: { version: CONSENT_VERSION, acceptedAt: now().toISOString() },
  });
  await sendMail(registrationMail(input.email, input.account, token));
}

interface RegisterTokenData {
  email: string;
  passportHash: string;
  consent: { version: string; acceptedAt: string };
}

/** Sets the first password from the registration link and opens a session. */
export async function confirmRegistration(token: string, password: string) {
  const record = await peekToken<RegisterTokenData>(token, 'register');
  const { account, data } = record;
  await assertAcceptablePassword(password, account);
  const passwordHash = await hashPassword(password);
  const at = now().toISOString();
  const credentials: Credentials = {
    account,
    passwordHash,
    email: data.email,
    remindersOptIn: true,
    billByEmail: false,
    consent: data.consent,
    registeredAt: at,
    passwordChangedAt: at,
  };
  try {
    await db().send(
      new TransactWriteCommand({
        TransactItems: [
          consumeTokenOperation(token),
          {
            Put: {
              TableName: tableName(),
              Item: { ...credentialsKey(account), entity: 'credentials', ...credentials },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          // The account must still belong to the person who registered (no ownership change since).
          {
            ConditionCheck: {
              TableName: tableName(),
              Key: keys.account(account),
              ConditionExpression: 'passportHash = :hash',
              ExpressionAttributeValues: { ':hash': data.passportHash },
            },
          },
          // Reminders are on by default: the window reminder job finds the resident by this item.
          subscribeOperation(account),
        ],
      }),
    );
  } catch (error) {
    if (!(error instanceof TransactionCanceledException)) throw error;
    const reasons = error.CancellationReasons ?? [];
    if (reasons[1]?.Code === 'ConditionalCheckFailed') throw alreadyRegistered();
    throw invalidToken();
  }
  return startSession(account);
}

async function startSession(account: string) {
  const profile = await getProfile(account);
  const { cookie } = await openSession(account);
  return { cookie, body: { account, owner: profile?.owner ?? '' } };
}

/** Login throttling per account: a captcha after a few failures, a short lock after many. */
export const LOGIN_LIMITS = { captchaAfter: 3, lockAfter: 10, windowMinutes: 15, lockMinutes: 5 } as const;

interface LoginGuard {
  failures: number;
  windowStart: number;
  lockedUntil?: number;
}

const guardKey = (account: string) => ({ pk: `ACC#${account}`, sk: 'LOGIN_GUARD' });

async function readGuard(account: string): Promise<LoginGuard> {
  const out = await db().send(new GetCommand({ TableName: tableName(), Key: guardKey(account), ConsistentRead: true }));
  const nowSec = Math.floor(now().getTime() / 1000);
  const item = out.Item as LoginGuard | undefined;
  if (!item) return { failures: 0, windowStart: nowSec };
  const lockActive = item.lockedUntil !== undefined && item.lockedUntil > nowSec;
  if (!lockActive && item.windowStart + LOGIN_LIMITS.windowMinutes * 60 <= nowSec) {
    // The counting window has passed: start over (unless a parallel request already did).
    await db()
      .send(
        new DeleteCommand({
          TableName: tableName(),
          Key: guardKey(account),
          ConditionExpression: 'windowStart = :old',
          ExpressionAttributeValues: { ':old': item.windowStart },
        }),
      )
      .catch((error: unknown) => {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      });
    return { failures: 0, windowStart: nowSec };
  }
  return item;
}

/** Counts a failure atomically (ADD), so parallel guesses cannot slip under the limits. */
async function recordFailure(account: string): Promise<void> {
  const nowSec = Math.floor(now().getTime() / 1000);
  const out = await db().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: guardKey(account),
      UpdateExpression: 'SET windowStart = if_not_exists(windowStart, :now), expiresAt = :expires ADD failures :one',
      ExpressionAttributeValues: { ':one': 1, ':now': nowSec, ':expires': nowSec + 24 * 3600 },
      ReturnValues: 'ALL_NEW',
    }),
  );
  const failures = Number(out.Attributes?.failures ?? 0);
  if (failures >= LOGIN_LIMITS.lockAfter) {
    // A short lock: long enough to stop guessing, short enough not to lock a resident out for long.
    // The counter drops to the captcha threshold, so the attempts after the lock still need a captcha.
    await db().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: guardKey(account),
        UpdateExpression: 'SET lockedUntil = :until, failures = :captcha, windowStart = :now',
        ExpressionAttributeValues: {
          ':until': nowSec + LOGIN_LIMITS.lockMinutes * 60,
          ':captcha': LOGIN_LIMITS.captchaAfter,
          ':now': nowSec,
        },
      }),
    );
  }
}

export const invalidCredentials = () => DomainError.of('invalid_credentials');

export interface LoginInput {
  account: string;
  password: string;
  captchaId?: string | undefined;
  captchaAnswer?: string | undefined;
}

/**
 * Login by account number and password. Unknown accounts, accounts without a cabinet and wrong
 * passwords answer alike, in the same time (a dummy hash is verified), and count alike.
 */
export async function login(input: LoginInput) {
  const guard = await readGuard(input.account);
  const nowSec = Math.floor(now().getTime() / 1000);
  if (guard.lockedUntil && guard.lockedUntil > nowSec) {
    const minutes = Math.ceil((guard.lockedUntil - nowSec) / 60);
    throw DomainError.of('too_many_attempts', { minutes });
  }
  if (guard.failures >= LOGIN_LIMITS.captchaAfter) {
    if (!input.captchaId || !input.captchaAnswer) {
      throw DomainError.of('captcha_required');
    }
    await verifyCaptcha(input.captchaId, input.captchaAnswer);
  }
  const credentials = await getCredentials(input.account, true);
  const ok = await verifyPassword(input.password, credentials?.passwordHash ?? (await dummyPasswordHash()));
  if (!credentials || !ok) {
    await recordFailure(input.account);
    throw invalidCredentials();
  }
  if (guard.failures > 0) await db().send(new DeleteCommand({ TableName: tableName(), Key: guardKey(input.account) }));
  return startSession(input.account);
}

const RECOVERY_FLOOR_MS = 400;

/**
 * Password recovery: the same answer, in about the same time, whether or not the account and
 * e-mail match; the link goes out only when they do.
 */
export async function recover(input: { account: string; email: string; captchaId: string; captchaAnswer: string }) {
  const started = Date.now();
  await verifyCaptcha(input.captchaId, input.captchaAnswer);
  const credentials = await getCredentials(input.account, true);
  if (credentials && credentials.email === input.email) {
    const token = await issueToken('reset', input.account, {});
    await sendMail(resetMail(credentials.email, input.account, token));
  }
  const wait = RECOVERY_FLOOR_MS - (Date.now() - started);
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
}

/** A new password from the recovery link; every other session ends. */
export async function resetPassword(token: string, password: string) {
  const { account } = await peekToken(token, 'reset');
  await assertAcceptablePassword(password, account);
  const passwordHash = await hashPassword(password);
  try {
    await db().send(
      new TransactWriteCommand({
        TransactItems: [
          consumeTokenOperation(token),
          {
            Update: {
              TableName: tableName(),
              Key: credentialsKey(account),
              UpdateExpression: 'SET passwordHash = :hash, passwordChangedAt = :at',
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeValues: { ':hash': passwordHash, ':at': now().toISOString() },
            },
          },
        ],
      }),
    );
  } catch (error) {
    if (error instanceof TransactionCanceledException) throw invalidToken();
    throw error;
  }
  await endAllSessions(account);
  await db().send(new DeleteCommand({ TableName: tableName(), Key: guardKey(account) }));
  return startSession(account);
}

/** Password change from the profile: old password, new one, captcha; other sessions end. */
export async function changePassword(
  session: { account: string; sessionId: string },
  input: { oldPassword: string; newPassword: string; captchaId: string; captchaAnswer: string },
) {
  await verifyCaptcha(input.captchaId, input.captchaAnswer);
  const credentials = await getCredentials(session.account, true);
  if (!credentials || !(await verifyPassword(input.oldPassword, credentials.passwordHash))) {
    throw DomainError.of('wrong_password', { fields: { oldPassword: 'Неверный пароль' } });
  }
  await assertAcceptablePassword(input.newPassword, session.account, 'newPassword');
  try {
    await db().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: credentialsKey(session.account),
        UpdateExpression: 'SET passwordHash = :hash, passwordChangedAt = :at',
        ConditionExpression: 'passwordHash = :old',
        ExpressionAttributeValues: {
          ':hash': await hashPassword(input.newPassword),
          ':at': now().toISOString(),
          ':old': credentials.passwordHash,
        },
      }),
    );
  } catch (error) {
    // A concurrent change won: this request's old password is no longer the current one.
    if (error instanceof ConditionalCheckFailedException) {
      throw DomainError.of('wrong_password', { concurrent: true });
    }
    throw error;
  }
  await endAllSessions(session.account, session.sessionId);
  const profile = await getProfile(session.account);
  return { email: credentials.email, body: { account: session.account, owner: profile?.owner ?? '' } };
}
