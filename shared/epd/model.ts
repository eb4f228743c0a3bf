import type {
  ChargeEntry,
  ChargeLine,
  ChargeMethod,
  LedgerEntry,
  PaymentEntry,
  PenaltyEntry,
  RecalcEntry,
  RecalcLine,
} from '#shared/billing/ledger';
import { paymentDueDate } from '#shared/billing/penalties';
import { statementRows } from '#shared/billing/statement';
import { type Tariff, tariffFor } from '#shared/billing/tariffs';
import { CENTRE } from '#shared/centre';
import { paymentQrPayload } from '#shared/epd/qrPayload';
import { periodTitle } from '#shared/format';
import type { ProviderBank, ProviderDirectory } from '#shared/registry/providers';
import { PENALTY_SERVICE, SERVICE_IDS, type ServiceId, serviceById } from '#shared/registry/services';
import { addDays, moscowDate } from '#shared/time';

/**
 * The ЕПД (единый платёжный документ) of one account for one period, as data: a pure function of
 * the account's registry record, its ledger, the tariffs and its meters' readings. The template
 * (shared/epd/template.ts) only lays it out. Money is integer kopecks; volumes, tariffs and
 * readings are the decimal strings billing stored.
 *
 * The sections follow the sample form of Приказ Минстроя России № 43/пр: 1 payer and provider,
 * 2 payment details, 3 the charges per service, 4 reference data (norms, meter readings),
 * 5 recalculations, and the tear-off payment slip with the QR code of ГОСТ Р 56042-2014.
 * The numbers of section 2 are the statement's (shared/billing/statement.ts) for the period.
 */

export interface EpdPayer {
  owner: string;
  address: string;
  /** m², decimal string. */
  area: string;
  residents: number;
  /** ГИС ЖКХ identifiers, when the registry has them: the single personal account and the ИЖКУ. */
  els?: string | undefined;
  izhku?: string | undefined;
}

export interface EpdMeterSource {
  serial: string;
  service: ServiceId;
  initialReading: string;
  verifiedUntil: string;
}

export interface EpdReadingSource {
  serial: string;
  period: string;
  value: string;
  /** The value the consumption counts from (absent on old items: the previous reading's value). */
  previous?: string;
  consumption: string;
}

/** Everything the bill is made of, read by shared/epd/source.ts. */
export interface EpdSource {
  account: string;
  period: string;
  payer: EpdPayer;
  ledger: readonly LedgerEntry[];
  tariffs: readonly Tariff[];
  meters: readonly EpdMeterSource[];
  /** Per meter, its readings up to the period, newest first (the period's own and the one before suffice). */
  readings: ReadonlyMap<string, readonly EpdReadingSource[]>;
  /** When the bill is formed. */
  issuedAt: Date;
  /** The portal's address, printed for residents. */
  publicUrl: string;
  /** Who renders which service (`import providers`); absent or empty: the centre renders them all. */
  providers?: ProviderDirectory | undefined;
}

/** One row of section 3: a service's charge, its recalculations and the total; or the month's пени. */
export interface EpdChargeRow {
  service: ServiceId | typeof PENALTY_SERVICE.id;
  title: string;
  unit: string;
  /** Individual consumption, decimal string; null when only a recalculation stands for the service. */
  volume: string | null;
  /** Common-property consumption (ОДН): not billed by the centre, printed as a dash. */
  commonVolume: null;
  method: ChargeMethod | null;
  /** The increasing coefficient of ПП РФ № 354 applied to the volume. */
  coefficient: string | null;
  /** Roubles per unit, decimal string. */
  price: string | null;
  charged: number;
  recalculation: number;
  /** Benefits and subsidies: the centre does not apply any (social support is paid to residents directly). */
  benefits: number;
  total: number;
  /** Its provider's number in `Epd.providers`; null for the пени row. */
  providerNumber: number | null;
}

/** A provider (исполнитель) of services on the bill, numbered as section 3 refers to it. */
export interface EpdProvider {
  number: number;
  /** The providers file's code; null when it is the centre itself. */
  code: string | null;
  name: string;
  inn: string;
  kpp: string | null;
  address: string;
  phone: string;
  email: string | null;
  bank: ProviderBank | null;
  /** Titles of the bill's services it renders. */
  services: string[];
}

export interface EpdRecalculation {
  service: ServiceId;
  title: string;
  forPeriod: string;
  /** How the period's volume had been determined before, when the ledger still holds it. */
  billedMethod: ChargeMethod | null;
  method: ChargeMethod;
  volume: string;
  unit: string;
  billedAmount: number;
  revisedAmount: number;
  amount: number;
}

export interface EpdNorm {
  service: ServiceId;
  title: string;
  /** Decimal string. */
  norm: string;
  /** What the norm is per: a resident or a square metre, per month. */
  per: 'resident' | 'area';
  unit: string;
}

export interface EpdMeterReading {
  service: ServiceId;
  title: string;
  serial: string;
  unit: string;
  verifiedUntil: string;
  /** The value the period's consumption counts from (or the last known value, when none came). */
  previous: string | null;
  /** The period's reading; null when none was submitted. */
  current: string | null;
  consumption: string | null;
}

export interface EpdPaymentSummary {
  /** Balance at the start of the period: + debt, − advance. */
  opening: number;
  debt: number;
  advance: number;
  charged: number;
  paid: number;
  /** Moscow date `YYYY-MM-DD` of the last payment received in the period. */
  lastPaymentDate: string | null;
  /** Balance at the end of the period (the statement's closing). */
  closing: number;
  /** What the resident is asked to pay: the closing balance, or nothing when it is an advance. */
  toPay: number;
}

export interface Epd {
  account: string;
  period: string;
  /** "Октябрь 2026". */
  periodTitle: string;
  /** Moscow date `YYYY-MM-DD`. */
  issuedOn: string;
  /**
   * Pay by: the day the bill falls due (ЖК РФ ст. 155 ч. 1, shared/billing/penalties.ts), or, for a
   * bill formed after that day, PRINTED_LATE_DAYS after it is formed: a date already past asks the
   * impossible. (Пени still count from the legal due date, as the law has it.)
   */
  payBy: string;
  /** The legal due date, `YYYY-MM-DD`. */
  dueDate: string;
  publicUrl: string;
  payer: EpdPayer;
  /** The centre: the payment agent that collects for the providers, and the residents' contact. */
  centre: {
    name: string;
    address: string;
    phone: string;
    hours: string;
  };
  /** Providers of the bill's services, in the order section 3 first names them. */
  providers: EpdProvider[];
  payee: (typeof CENTRE)['payee'];
  summary: EpdPaymentSummary;
  charges: EpdChargeRow[];
  totals: { charged: number; recalculation: number; benefits: number; total: number };
  norms: EpdNorm[];
  meters: EpdMeterReading[];
  recalculations: EpdRecalculation[];
  /** The payment QR code's text (ГОСТ Р 56042-2014). */
  qrPayload: string;
}

const serviceOrder = (service: ServiceId) => SERVICE_IDS.indexOf(service);

function chargeOf(ledger: readonly LedgerEntry[], period: string): ChargeEntry | undefined {
  return ledger.find((e): e is ChargeEntry => e.kind === 'charge' && e.period === period);
}

/** Whether the period has been billed: an account's bill exists once its charge entry does. */
export function hasBill(ledger: readonly LedgerEntry[], period: string): boolean {
  return chargeOf(ledger, period) !== undefined;
}

function summaryOf(ledger: readonly LedgerEntry[], period: string): EpdPaymentSummary {
  const [row] = statementRows(ledger, period, period);
  if (!row) throw new Error('statementRows returned no row for one period');
  const payments = ledger.filter((e): e is PaymentEntry => e.kind === 'payment' && e.period === period);
  const last = payments.reduce<string | null>(
    (latest, p) => (latest === null || p.paidAt > latest ? p.paidAt : latest),
    null,
  );
  return {
    opening: row.opening,
    debt: Math.max(row.opening, 0),
    advance: Math.max(-row.opening, 0),
    charged: row.charged,
    paid: row.paid,
    lastPaymentDate: last ? moscowDate(new Date(last)) : null,
    closing: row.closing,
    toPay: Math.max(row.closing, 0),
  };
}

function chargeRows(
  charge: ChargeEntry,
  recalcs: readonly RecalcLine[],
  penalties: readonly PenaltyEntry[],
  providerOf: (service: ServiceId) => number,
): EpdChargeRow[] {
  const rows = new Map<ServiceId, EpdChargeRow>();
  const empty = (service: ServiceId, unit: string): EpdChargeRow => ({
    service,
    title: serviceById(service).title,
    unit,
    volume: null,
    commonVolume: null,
    method: null,
    coefficient: null,
    price: null,
    charged: 0,
    recalculation: 0,
    benefits: 0,
    total: 0,
    providerNumber: null,
  });
  for (const line of charge.lines as ChargeLine[]) {
    rows.set(line.service, {
      ...empty(line.service, line.unit),
      volume: line.volume,
      method: line.method,
      coefficient: line.coefficient ?? null,
      price: line.price,
      charged: line.amount,
    });
  }
  for (const line of recalcs) {
    const row = rows.get(line.service) ?? empty(line.service, line.unit);
    row.recalculation += line.amount;
    rows.set(line.service, row);
  }
  for (const row of rows.values()) {
    row.total = row.charged + row.recalculation - row.benefits;
    row.providerNumber = providerOf(row.service as ServiceId);
  }
  const services = [...rows.values()].sort(
    (a, b) => serviceOrder(a.service as ServiceId) - serviceOrder(b.service as ServiceId),
  );
  // Пени (ЖК РФ ст. 155 ч. 14) are a row of their own, after the services, never part of a service's sum.
  const penalty = penalties.flatMap((e) => e.lines).reduce((sum, l) => sum + l.amount, 0);
  if (penalties.length === 0) return services;
  return [
    ...services,
    {
      service: PENALTY_SERVICE.id,
      title: PENALTY_SERVICE.title,
      unit: 'руб.',
      volume: null,
      commonVolume: null,
      method: null,
      coefficient: null,
      price: null,
      charged: penalty,
      recalculation: 0,
      benefits: 0,
      total: penalty,
      providerNumber: null,
    },
  ];
}

/**
 * The providers of the bill's services, numbered in the order of section 3. A service no provider
 * claims is the centre's own (its payee requisites), as when no providers file was imported.
 */
function providersOf(
  services: readonly ServiceId[],
  directory: ProviderDirectory | undefined,
): { providers: EpdProvider[]; numberOf: (service: ServiceId) => number } {
  const providers: EpdProvider[] = [];
  const numbers = new Map<string, number>();
  const byCode = new Map((directory?.providers ?? []).map((p) => [p.provider, p]));
  for (const service of services) {
    const code = directory?.byService[service];
    const provider = code ? byCode.get(code) : undefined;
    const key = provider ? provider.provider : '';
    let number = numbers.get(key);
    if (number === undefined) {
      number = providers.length + 1;
      numbers.set(key, number);
      providers.push(
        provider
          ? {
              number,
              code: provider.provider,
              name: provider.name,
              inn: provider.inn,
              kpp: provider.kpp ?? null,
              address: provider.address,
              phone: provider.phone,
              email: provider.email ?? null,
              bank: provider.bank ?? null,
              services: [],
            }
          : {
              number,
              code: null,
              name: CENTRE.payee.name,
              inn: CENTRE.payee.inn,
              kpp: CENTRE.payee.kpp,
              address: CENTRE.address,
              phone: CENTRE.phone.display,
              email: null,
              bank: {
                name: CENTRE.payee.bankName,
                bic: CENTRE.payee.bic,
                correspondentAccount: CENTRE.payee.correspondentAccount,
                settlementAccount: CENTRE.payee.settlementAccount,
              },
              services: [],
            },
      );
    }
    providers[number - 1]?.services.push(serviceById(service).title);
  }
  return {
    providers,
    numberOf: (service) => numbers.get(byCode.get(directory?.byService[service] ?? '')?.provider ?? '') ?? 0,
  };
}

/** Days a bill formed after its due date gives to pay. */
export const PRINTED_LATE_DAYS = 10;

/** The pay-by date of a bill formed on `issuedOn`: its due date, or a later one if that has passed. */
export function payByDate(period: string, issuedOn: string): string {
  const due = paymentDueDate(period);
  return issuedOn <= due ? due : addDays(issuedOn, PRINTED_LATE_DAYS);
}

/** The method a period's line was billed by before a recalculation revised it. */
function billedMethodOf(ledger: readonly LedgerEntry[], forPeriod: string, service: ServiceId): ChargeMethod | null {
  const line = chargeOf(ledger, forPeriod)?.lines.find((l) => l.service === service) as ChargeLine | undefined;
  return line?.method ?? null;
}

/** Norms of consumption (section 4): per resident for metered services, per m² for heating. */
function normsOf(tariffs: readonly Tariff[], rows: readonly EpdChargeRow[], period: string): EpdNorm[] {
  const norms: EpdNorm[] = [];
  for (const row of rows) {
    if (row.service === PENALTY_SERVICE.id) continue;
    const { basis } = serviceById(row.service);
    // Maintenance and waste have a price per m² or per resident, not a norm of consumption.
    if (basis === 'resident' || row.service === 'maintenance') continue;
    const tariff = tariffFor(tariffs, row.service, period);
    if (!tariff) continue;
    norms.push({
      service: row.service,
      title: row.title,
      norm: tariff.norm,
      per: basis === 'area' ? 'area' : 'resident',
      unit: tariff.unit,
    });
  }
  return norms;
}

function meterReadings(source: EpdSource): EpdMeterReading[] {
  const rows: EpdMeterReading[] = [];
  for (const meter of source.meters) {
    const readings = (source.readings.get(meter.serial) ?? []).filter((r) => r.period <= source.period);
    const current = readings.find((r) => r.period === source.period);
    const before = readings.find((r) => r.period < source.period);
    const { title, unit } = serviceById(meter.service);
    rows.push({
      service: meter.service,
      title,
      serial: meter.serial,
      unit,
      verifiedUntil: meter.verifiedUntil,
      previous: current?.previous ?? before?.value ?? meter.initialReading,
      current: current?.value ?? null,
      consumption: current?.consumption ?? null,
    });
  }
  return rows.sort((a, b) => serviceOrder(a.service) - serviceOrder(b.service) || a.serial.localeCompare(b.serial));
}

/** The bill, or undefined when the period has not been billed for the account. */
export function buildEpd(source: EpdSource): Epd | undefined {
  const { ledger, period } = source;
  const charge = chargeOf(ledger, period);
  if (!charge) return undefined;
  const recalcEntry = ledger.find((e): e is RecalcEntry => e.kind === 'recalc' && e.period === period);
  const recalcLines = (recalcEntry?.lines ?? []) as RecalcLine[];
  const penalties = ledger.filter((e): e is PenaltyEntry => e.kind === 'penalty' && e.period === period);
  const billed = [...new Set([...charge.lines, ...recalcLines].map((l) => l.service as ServiceId))].sort(
    (a, b) => serviceOrder(a) - serviceOrder(b),
  );
  const { providers, numberOf } = providersOf(billed, source.providers);
  const charges = chargeRows(charge, recalcLines, penalties, numberOf);
  const totals = charges.reduce(
    (sum, row) => ({
      charged: sum.charged + row.charged,
      recalculation: sum.recalculation + row.recalculation,
      benefits: sum.benefits + row.benefits,
      total: sum.total + row.total,
    }),
    { charged: 0, recalculation: 0, benefits: 0, total: 0 },
  );
  const summary = summaryOf(ledger, period);
  const issuedOn = moscowDate(source.issuedAt);
  return {
    account: source.account,
    period,
    periodTitle: periodTitle(period),
    issuedOn,
    payBy: payByDate(period, issuedOn),
    dueDate: paymentDueDate(period),
    publicUrl: source.publicUrl,
    payer: source.payer,
    centre: {
      name: CENTRE.fullName,
      address: CENTRE.address,
      phone: CENTRE.phone.display,
      hours: CENTRE.hours.map((h) => `${h.days} ${h.time}`).join('; '),
    },
    providers,
    payee: CENTRE.payee,
    summary,
    charges,
    totals,
    norms: normsOf(source.tariffs, charges, period),
    meters: meterReadings(source),
    recalculations: recalcLines.map((line) => ({
      service: line.service,
      title: serviceById(line.service).title,
      forPeriod: line.forPeriod,
      billedMethod: billedMethodOf(ledger, line.forPeriod, line.service),
      method: line.method,
      volume: line.volume,
      unit: line.unit,
      billedAmount: line.billedAmount,
      revisedAmount: line.revisedAmount,
      amount: line.amount,
    })),
    qrPayload: paymentQrPayload({
      payee: CENTRE.payee,
      account: source.account,
      period,
      sum: summary.toPay,
      payer: { owner: source.payer.owner, address: source.payer.address },
    }),
  };
}
