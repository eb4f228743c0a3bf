import { mailNotice, smsLoginMail } from '#shared/accounts/phoneMails';
import {
  type Cabinet,
  type CabinetSettings,
  getAccount,
  getCabinet,
  type ResidentItems,
  updateCabinetSettings,
} from '#shared/accounts/store';
import { balanceOf } from '#shared/billing/balance';
import { DomainError } from '#shared/errors';
import { suppressionOf } from '#shared/mail/suppression';
import { setNewsSubscription } from '#shared/news/store';
import { setReminderSubscription } from '#shared/readings/reminderSubscription';
import type { AccountRecord } from '#shared/registry/repository';

/** A session whose cabinet has gone (ownership transfer, closure) is treated as logged out. */
export async function requireCabinet(account: string, consistent = false): Promise<Cabinet> {
  const cabinet = await getCabinet(account, consistent);
  if (!cabinet) throw DomainError.of('unauthorized');
  return cabinet;
}

/**
 * The resident's account as the site's header and home page show it (GET /api/me). `read`: the
 * record and cabinet the session check read along (sessions.ts requireResident); then the ledger's
 * query is the page's only other request. `account`: the session's current account; when it is a
 * linked one (accounts/links.ts), the record read along is the cabinet's own and its record is read
 * here (in parallel with the ledger), while the e-mail stays the cabinet's.
 */
export async function me(account: string, read: ResidentItems = {}) {
  const [record, cabinet, balance] = await Promise.all([
    read.record?.account === account ? read.record : getAccount(account),
    read.cabinet ?? requireCabinet(account),
    balanceOf(account),
  ]);
  if (!record) throw DomainError.of('unauthorized');
  return {
    account,
    owner: record.owner,
    address: record.address,
    email: cabinet.email,
    phone: cabinet.phone ?? null,
    phoneConfirmed: Boolean(cabinet.phone && cabinet.phoneConfirmedAt),
    area: record.area,
    residents: record.residents,
    balance,
  };
}

/** The profile page: the cabinet's contacts, subscriptions and consent (GET /api/profile). */
export async function profileOf(account: string, read: ResidentItems = {}) {
  const [record, cabinet] = await Promise.all([
    read.record ?? getAccount(account),
    read.cabinet ?? requireCabinet(account),
  ]);
  return profileView(account, record, cabinet);
}

async function profileView(account: string, record: AccountRecord | undefined, cabinet: Cabinet) {
  const suppressed = await suppressionOf(cabinet.email);
  return {
    account,
    owner: record?.owner ?? '',
    address: record?.address ?? '',
    email: cabinet.email,
    pendingEmail: cabinet.pendingEmail ?? null,
    emailUndeliverable: suppressed ? { reason: suppressed.reason, since: suppressed.at } : null,
    phone: cabinet.phone ?? null,
    phoneConfirmed: Boolean(cabinet.phone && cabinet.phoneConfirmedAt),
    loginCodeBySms: cabinet.loginCodeBySms ?? false,
    remindersOptIn: cabinet.remindersOptIn,
    billByEmail: cabinet.billByEmail,
    newsByEmail: cabinet.newsByEmail ?? false,
    consent: cabinet.consent,
    registeredAt: cabinet.registeredAt,
  };
}

/**
 * PATCH /api/profile: one conditional write (a cabinet that has gone answers `unauthorized`); the
 * answer is built from the updated cabinet it returns, not read again.
 */
export async function updateProfile(account: string, changes: CabinetSettings, read: ResidentItems = {}) {
  const [cabinet, record] = await Promise.all([
    updateCabinetSettings(account, changes),
    read.record ?? getAccount(account),
  ]);
  if (!cabinet) throw DomainError.of('unauthorized');
  if (changes.remindersOptIn !== undefined) await setReminderSubscription(account, changes.remindersOptIn);
  if (changes.newsByEmail !== undefined) await setNewsSubscription(account, changes.newsByEmail);
  const smsLogin = cabinet.loginCodeBySms ?? false;
  if (changes.loginCodeBySms !== undefined && read.cabinet && (read.cabinet.loginCodeBySms ?? false) !== smsLogin) {
    await mailNotice(smsLoginMail(cabinet.email, account, smsLogin));
  }
  return profileView(account, record, cabinet);
}
