/** Key shapes of the single table; every access path is a key, never a scan. */
export const keys = {
  account: (account: string) => ({ pk: `ACC#${account}`, sk: 'PROFILE' }),
  meter: (account: string, serial: string) => ({ pk: `ACC#${account}`, sk: `METER#${serial}` }),
  meterPrefix: 'METER#',
  tariff: (service: string, from: string) => ({ pk: 'TARIFF', sk: `${service}#${from}` }),
  windowState: () => ({ pk: 'CONFIG', sk: 'READING_WINDOW' }),
} as const;
