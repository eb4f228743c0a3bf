/**
 * The housing and utility services the centre bills, as named in the registry files, the tariffs
 * and the ЕПД. One list for the importer, billing, the ЕПД and the web client.
 *
 * `basis` says what a tariff's `norm` multiplies (ПП РФ № 354):
 * - `metered`: consumption by an individual meter; without one, `norm` per resident per month
 *   (times the tariff's increasing `coefficient`, when it has one);
 * - `area`: the account's area in m² times `norm` per m² (heating: Гкал per m²; maintenance:
 *   norm 1, so the price is per m²);
 * - `resident`: residents times `norm` (waste: norm 1, so the price is per resident).
 * `wastewater` has no meter of its own: its volume is cold plus hot water.
 */
export const SERVICES = [
  {
    id: 'cold_water',
    title: 'Холодное водоснабжение',
    unit: 'м³',
    basis: 'metered',
    meterable: true,
    meterDigits: 5,
  },
  { id: 'hot_water', title: 'Горячее водоснабжение', unit: 'м³', basis: 'metered', meterable: true, meterDigits: 5 },
  { id: 'wastewater', title: 'Водоотведение', unit: 'м³', basis: 'metered', meterable: false, meterDigits: undefined },
  { id: 'electricity', title: 'Электроснабжение', unit: 'кВт·ч', basis: 'metered', meterable: true, meterDigits: 6 },
  {
    id: 'electricity_day',
    title: 'Электроснабжение (день)',
    unit: 'кВт·ч',
    basis: 'metered',
    meterable: true,
    meterDigits: 6,
  },
  {
    id: 'electricity_night',
    title: 'Электроснабжение (ночь)',
    unit: 'кВт·ч',
    basis: 'metered',
    meterable: true,
    meterDigits: 6,
  },
  { id: 'gas', title: 'Газоснабжение', unit: 'м³', basis: 'metered', meterable: true, meterDigits: 5 },
  { id: 'heating', title: 'Отопление', unit: 'Гкал', basis: 'area', meterable: true, meterDigits: 6 },
  {
    id: 'maintenance',
    title: 'Содержание жилого помещения',
    unit: 'м²',
    basis: 'area',
    meterable: false,
    meterDigits: undefined,
  },
  {
    id: 'waste',
    title: 'Обращение с ТКО',
    unit: 'чел.',
    basis: 'resident',
    meterable: false,
    meterDigits: undefined,
  },
] as const satisfies readonly ServiceDefinition[];

/**
 * Пени (ЖК РФ ст. 155 ч. 14): a line of the ledger and of the ЕПД like a service's, but never a
 * service of the registry (no tariff, no meter, not in an account's `services`), so it is kept out
 * of SERVICES and of `ServiceId`.
 */
export const PENALTY_SERVICE = { id: 'penalty', title: 'Пени' } as const;

export interface ServiceDefinition {
  id: string;
  /** As printed on the ЕПД and in the web client. */
  title: string;
  /** The unit of the tariff and of the volume on the ЕПД. */
  unit: string;
  basis: 'metered' | 'area' | 'resident';
  /** Whether an individual meter of this service can be imported. */
  meterable: boolean;
  /** Default digit capacity of its meters (the reading rolls over at 10^digits). */
  meterDigits: number | undefined;
}

export type ServiceId = (typeof SERVICES)[number]['id'];

export const SERVICE_IDS = SERVICES.map((s) => s.id) as [ServiceId, ...ServiceId[]];

export function isServiceId(value: string): value is ServiceId {
  return (SERVICE_IDS as readonly string[]).includes(value);
}

export function serviceById(id: ServiceId): ServiceDefinition {
  return SERVICES.find((s) => s.id === id) as ServiceDefinition;
}

/**
 * The services whose norm may carry the increasing coefficient of ПП РФ № 354 (п. 42, formula
 * 4(1)): cold water, hot water and electricity — the resources an individual meter is obligatory
 * for (261-ФЗ, ст. 13). The tariffs import refuses a coefficient on any other service.
 */
export const COEFFICIENT_SERVICES: readonly ServiceId[] = [
  'cold_water',
  'hot_water',
  'electricity',
  'electricity_day',
  'electricity_night',
];

/**
 * Whether an inspection's act (акт обследования) found that a meter of the service cannot be
 * installed in the flat: then the norm is billed without the increasing coefficient. A single-rate
 * `electricity` act covers the day and night registers too.
 */
export function meterImpossible(noMeterPossible: readonly ServiceId[] | undefined, service: ServiceId): boolean {
  if (!noMeterPossible) return false;
  if (noMeterPossible.includes(service)) return true;
  return service.startsWith('electricity_') && noMeterPossible.includes('electricity');
}
