import { randomUUID } from 'node:crypto';
import { verifyCaptcha } from '#shared/accounts/captcha';
import { CONSENT } from '#shared/accounts/consent';
import { registrationMail } from '#shared/accounts/mails';
import { assertAcceptablePassword, hashPassword } from '#shared/accounts/passwords';
import { prepareSession } from '#shared/accounts/sessions';
import { type Cabinet, createCabinet, getResident, linkGenerationOf } from '#shared/accounts/store';
import { issueToken, peekToken } from '#shared/accounts/tokens';
import { sendMail } from '#shared/clients/mail';
import { DomainError } from '#shared/errors';
import { reserveAccountAttempt } from '#shared/limits/attempts';
import { passportMatches } from '#shared/passport';
import { now } from '#shared/time';

/** The consent residents accept at registration (shared with the site); its version is stored. */
export const CONSENT_VERSION = CONSENT.version;

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
  // Reserved before the passport is checked; each refusal keeps its slot: 5 refusals in an hour
  // lock the account's registration for an hour, so passport numbers cannot be guessed by trying.
  const attempt = await reserveAccountAttempt('registration', input.account);
  const refuse = async (error: DomainError) => {
    await attempt.fail();
    return error;
  };
  // The record (passport hash, link generation) and the cabinet in one consistent request.
  const { record, cabinet } = await getResident(input.account);
  // Which field was wrong is never said: that would confirm half of someone's passport data.
  if (!record || !(await passportMatches(record.passportHash, input.passport))) {
    throw await refuse(DomainError.of('data_mismatch'));
  }
  if (cabinet) throw await refuse(DomainError.of('already_registered'));
  // The link's token and the slot given back in one transaction. With the address limit, the
  // captcha, the reservation and the read before it (and the mail's suppression check after):
  // six requests, each an item of its own that must be written or read before the next step.
  const token = await issueToken(
    'register',
    input.account,
    {
      email: input.email,
      passportHash: record.passportHash,
      consent: { version: CONSENT_VERSION, acceptedAt: now().toISOString() },
    },
    { generation: linkGenerationOf(record), alsoUpdate: attempt.releaseOperation() },
  );
  await sendMail(registrationMail(input.email, input.account, token));
}

interface RegisterTokenData {
  email: string;
  passportHash: string;
  consent: { version: string; acceptedAt: string };
}

/** Sets the first password from the registration link, which creates the cabinet, and opens a session. */
export async function confirmRegistration(token: string, password: string) {
  const { account, data, generation, record } = await peekToken<RegisterTokenData>(token, 'register');
  await assertAcceptablePassword(password, account);
  const passwordHash = await hashPassword(password);
  const at = now().toISOString();
  const cabinet: Cabinet = {
    account,
    passwordHash,
    email: data.email,
    remindersOptIn: true,
    billByEmail: false,
    consent: data.consent,
    registeredAt: at,
    passwordChangedAt: at,
    cabinetId: randomUUID(),
  };
  // The cabinet, the link used up and the first session in one transaction: with the address limit
  // and the two reads of the link (the token, then its account's record), four requests.
  const session = prepareSession(account);
  await createCabinet(token, cabinet, data.passportHash, generation, [session.put]);
  return { cookie: await session.cookie(), body: { account, owner: record?.owner ?? '' } };
}
