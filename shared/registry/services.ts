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
