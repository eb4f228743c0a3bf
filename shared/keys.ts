/** Key shapes of the single table; every access path is a key, never a scan. */
export const keys = {
  account: (account: string) => ({ pk: `ACC#${account}`, sk: 'PROFILE' }),
  meter: (account: string, serial: string) => ({ pk: `ACC#${account}`, sk: `METER#${serial}` }),
  meterPrefix: 'METER#',
  tariff: (service: string, from: string) => ({ pk: 'TARIFF', sk: `${service}#${from}` }),
  /** One accepted reading of a meter for a period (history and consumption come from these). */
  reading: (account: string, serial: string, period: string) => ({
    pk: `ACC#${account}`,
    sk: `READING#${serial}#${period}`,
  }),
  readingPrefix: 'READING#',
  /**
   * An immutable ledger entry (charge, payment, recalculation) of an account and service; the
   * balance is always the sum of these. The billing feature writes them.
   */
  ledgerPrefix: 'LEDGER#',
  supportTicket: (account: string, createdAt: string, id: string) => ({
    pk: `ACC#${account}`,
    sk: `TICKET#${createdAt}#${id}`,
  }),
  ticketPrefix: 'TICKET#',
  windowState: () => ({ pk: 'CONFIG', sk: 'READING_WINDOW' }),
  /** Marks that the local runtime has loaded its demo data. */
  demoSeed: () => ({ pk: 'CONFIG', sk: 'DEMO_SEED' }),
} as const;
