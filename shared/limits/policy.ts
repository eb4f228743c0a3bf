/**
 * Every limit, in one place (the table in docs/limits.md is this one): per account for the
 * forms that check a secret or send mail, per source address for every unauthenticated route.
 * Per-account limits are the real defence against guessing; per-address limits stop one machine
 * from sweeping many accounts. Addresses are generous: mobile operators put thousands of
 * residents behind one address (CGNAT), and the per-account limits do not depend on them.
 */
export interface AttemptLimit {
  /** Attempts per window. */
  max: number;
  /** The window starts with the first attempt and lasts this long. */
  windowSeconds: number;
  /** When the last attempt of a window is refused, the subject is locked this long from then. */
  lockSeconds?: number;
  /** Login only: from which attempt of a window on a captcha is needed (the attempts after this many). */
  captchaAfter?: number;
}

/** Per account. */
export const ACCOUNT_LIMITS = {
  /**
   * Failed logins: a captcha from the 4th attempt, a lock after the 10th failure within 15
   * minutes. The lock is short on purpose: an attacker cannot lock a resident out for long, and
   * the reset link always works.
   */
  login: { max: 10, windowSeconds: 15 * 60, lockSeconds: 5 * 60, captchaAfter: 3 },
  /** Refused registrations (wrong passport, already registered): 5 in an hour lock it for an hour. */
  registration: { max: 5, windowSeconds: 60 * 60, lockSeconds: 60 * 60 },
  /** Recovery requests, matching or not (each match mails a link). */
  recovery: { max: 5, windowSeconds: 60 * 60 },
  /** Starts of the no-login readings page (each one a single-submission pass). */
  quickReadings: { max: 5, windowSeconds: 60 * 60 },
  /**
   * Guest payments started for one account (`POST /api/pay`): each opens an order at the bank in
   * that account's name, so a stranger solving captchas must not fill a resident's payments with
   * orders nobody pays. Ten an hour is more than a family paying for a parent ever needs.
   */
  guestPayment: { max: 10, windowSeconds: 60 * 60 },
  /**
   * Wrong current passwords typed inside a session (e-mail change, password change): whoever
   * holds a stolen session must not be able to guess the password behind it. 5 in 15 minutes
   * lock these forms for 15 minutes; login and the reset link are not affected.
   */
  sessionPassword: { max: 5, windowSeconds: 15 * 60, lockSeconds: 15 * 60 },
  /**
   * SMS codes sent for one account (phone confirmation and login codes together): each costs the
   * centre money and wakes a phone, so a session thief or someone who knows the password cannot
   * turn the portal into an SMS cannon. Ten a day is far more than a resident needs.
   */
  smsCodes: { max: 10, windowSeconds: 24 * 60 * 60 },
  /**
   * Support tickets written from one cabinet: each one mails the centre's support address and the
   * resident, and a logged-in form has no robot check, so a stolen session or a script must not
   * fill the operators' queue. Ten a day is far more than a resident with a real problem writes
   * (a thread takes any number of replies).
   */
  supportTickets: { max: 10, windowSeconds: 24 * 60 * 60 },
} as const satisfies Record<string, AttemptLimit>;

export type AccountLimitName = Exclude<keyof typeof ACCOUNT_LIMITS, 'login'>;

/**
 * Per phone number (by its keyed hash, shared/accounts/phoneCodes.ts): SMS codes to one number
 * from any account, so many cabinets cannot flood one stranger's phone. Three in 15 minutes lets a
 * resident ask again twice when a message is late.
 */
export const PHONE_LIMITS = {
  smsCodes: { max: 3, windowSeconds: 15 * 60 },
} as const satisfies Record<string, AttemptLimit>;

/** Tries of one SMS code (phone confirmation or login) before it is void; a code lives 10 minutes. */
export const SMS_CODE = { tries: 5, ttlSeconds: 10 * 60 } as const;

/**
 * Per source address, by the route's `limit` (shared/routes.ts). A route marked `edge` (the health
 * check, the OpenAPI document, the public tariffs: constant, cacheable, reading nothing private)
 * is limited per address at the edge only (the WAF's rule for all of /api/), so its function
 * needs no write access to the table.
 */
export const ADDRESS_LIMITS = {
  /** New challenges (`GET /api/captcha`). */
  captcha: { max: 60, windowSeconds: 10 * 60 },
  /** Forms that check a secret or an account: login, registration, recovery, no-login readings, guest payment. */
  credentials: { max: 100, windowSeconds: 10 * 60 },
  /** Any other route without a session (the default). */
  public: { max: 300, windowSeconds: 60 },
} as const satisfies Record<string, AttemptLimit>;

export type AddressLimitName = keyof typeof ADDRESS_LIMITS;
