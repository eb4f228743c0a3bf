import type {
  ChargeEntry,
  ChargeLine,
  ChargeMethod,
  LedgerEntry,
  PaymentEntry,
  RecalcEntry,
  RecalcLine,
} from '#shared/billing/ledger';
import { statementRows } from '#shared/billing/statement';
import { type Tariff, tariffFor } from '#shared/billing/tariffs';
import { CENTRE } from '#shared/centre';
import { paymentQrPayload } from '#shared/epd/qr';
import { periodTitle } from '#shared/format';
import { SERVICE_IDS, type ServiceId, serviceById } from '#shared/registry/services';
import { addMonths, moscowDate } from '#shared/time';

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
}

/** One row of section 3: a service's charge, its recalculations and the total. */
export interface EpdChargeRow {
  service: ServiceId;
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
  /** Pay by the 10th of the next month (ЖК РФ, ст. 155, ч. 1), `YYYY-MM-DD`. */
  payBy: string;
  publicUrl: string;
  payer: EpdPayer;
  provider: {
    name: string;
    address: string;
    phone: string;
    hours: string;
  };
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

function chargeRows(charge: ChargeEntry, recalcs: readonly RecalcLine[]): EpdChargeRow[] {
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
  for (const row of rows.values()) row.total = row.charged + row.recalculation - row.benefits;
  return [...rows.values()].sort((a, b) => serviceOrder(a.service) - serviceOrder(b.service));
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
  const charges = chargeRows(charge, recalcLines);
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
  const payBy = `${addMonths(period, 1)}-10`;
  return {
    account: source.account,
    period,
    periodTitle: periodTitle(period),
    issuedOn: moscowDate(source.issuedAt),
    payBy,
    publicUrl: source.publicUrl,
    payer: source.payer,
    provider: {
      name: CENTRE.fullName,
      address: CENTRE.address,
      phone: CENTRE.phone.display,
      hours: CENTRE.hours.map((h) => `${h.days} ${h.time}`).join('; '),
    },
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
    }),
  };
}
