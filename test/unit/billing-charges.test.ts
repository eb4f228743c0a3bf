import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AccountFacts,
  type BillingFacts,
  billAccount,
  billedServices,
  chargeLine,
  chargesForPeriod,
  RECALC_LOOKBACK_PERIODS,
  recalculations,
} from '#shared/billing/charges';
import { chargeEntry, type LedgerEntry, type RecalcLine, recalcEntry } from '#shared/billing/ledger';
import { Dec, dec, lineAmount, parseRoubles } from '#shared/billing/money';
import { type Tariff, tariffFor, tariffsInForce } from '#shared/billing/tariffs';
import { estimateFor, type MeterFact, meterVolumes, type ReadingFact } from '#shared/billing/volumes';
import type { ServiceId } from '#shared/registry/services';
import { addMonths } from '#shared/time';

/** Tests read as the billing rules: given an account, its meters and readings, when billed, then… */

const TARIFFS: Tariff[] = [
  { service: 'cold_water', unit: 'м³', price: '35.12', norm: '3.8', from: '2025-07', coefficient: '1.5' },
  { service: 'cold_water', unit: 'м³', price: '35.72', norm: '3.8', from: '2026-01', coefficient: '1.5' },
  { service: 'hot_water', unit: 'м³', price: '218.21', norm: '3.01', from: '2026-01', coefficient: '1.5' },
  { service: 'wastewater', unit: 'м³', price: '31', norm: '6.81', from: '2026-01' },
  { service: 'electricity', unit: 'кВт·ч', price: '6.72', norm: '88', from: '2026-01' },
  { service: 'electricity_day', unit: 'кВт·ч', price: '7.56', norm: '62', from: '2026-01' },
  { service: 'electricity_night', unit: 'кВт·ч', price: '4.04', norm: '26', from: '2026-01' },
  { service: 'heating', unit: 'Гкал', price: '2636.9345', norm: '0.0186', from: '2026-01' },
  { service: 'maintenance', unit: 'м²', price: '27.86', norm: '1', from: '2026-01' },
  { service: 'waste', unit: 'чел.', price: '145.05', norm: '1', from: '2026-01' },
];

const anAccount = (overrides: Partial<AccountFacts> = {}): AccountFacts => ({
  account: '100001',
  area: '54.3',
  residents: 3,
  ...overrides,
});

function given(
  input: {
    account?: Partial<AccountFacts>;
    meters?: Array<[serial: string, service: ServiceId, more?: Partial<MeterFact>]>;
    readings?: Array<[serial: string, period: string, consumption: string]>;
    tariffs?: Tariff[];
  } = {},
): BillingFacts {
  const meters = (input.meters ?? []).map(([serial, service, more]): MeterFact => ({ serial, service, ...more }));
  const serviceOf = new Map(meters.map((m) => [m.serial, m.service]));
  return {
    account: anAccount(input.account),
    meters,
    readings: (input.readings ?? []).map(
      ([serial, period, consumption]): ReadingFact => ({
        serial,
        period,
        consumption,
        service: serviceOf.get(serial) ?? 'cold_water',
      }),
    ),
    tariffs: input.tariffs ?? TARIFFS,
  };
}

const line = (facts: BillingFacts, service: ServiceId, period = '2026-10') => chargeLine(facts, service, period);

describe('money', () => {
  it('rounds each line half-up to the kopeck, in decimals, never floats', () => {
    // 0.5 kopeck rounds up; binary floats would make 1.005 × 100 = 100.49999…
    expect(lineAmount(dec('1.005'), '1')).toBe(101);
    expect(lineAmount(dec('0.125'), '0.36')).toBe(5); // 4.5 kopecks
    expect(lineAmount(dec('0.115'), '0.36')).toBe(4); // 4.14
    expect(lineAmount(dec('3.333'), '35.72')).toBe(11905); // 119.05476
    expect(lineAmount(dec('1.00998'), '2636.9345')).toBe(266325); // heating by area: 2663.2511…
  });

  it('reads signed roubles to exact kopecks', () => {
    expect(parseRoubles('1 234,56')).toBe(123456);
    expect(parseRoubles('-150,00')).toBe(-15000);
    expect(parseRoubles('−0,5')).toBe(-50);
    expect(parseRoubles('0')).toBe(0);
    expect(parseRoubles('12,345')).toBeUndefined();
    expect(parseRoubles('1e3')).toBeUndefined();
    expect(parseRoubles('')).toBeUndefined();
  });
});

describe('tariff for a period', () => {
  it('is the one with the latest `from` not after the period', () => {
    expect(tariffFor(TARIFFS, 'cold_water', '2025-12')?.price).toBe('35.12');
    expect(tariffFor(TARIFFS, 'cold_water', '2026-01')?.price).toBe('35.72');
    expect(tariffFor(TARIFFS, 'cold_water', '2030-05')?.price).toBe('35.72');
    expect(tariffFor(TARIFFS, 'cold_water', '2025-06')).toBeUndefined();
    expect(tariffFor(TARIFFS, 'gas', '2026-10')).toBeUndefined();
  });

  it('are listed for the public page with their validity and the announced next ones', () => {
    const { current, upcoming } = tariffsInForce(TARIFFS, '2025-12');
    const cold = current.find((t) => t.service === 'cold_water');
    expect(cold).toMatchObject({ price: '35.12', from: '2025-07', until: '2025-12', title: 'Холодное водоснабжение' });
    expect(upcoming.find((t) => t.service === 'cold_water')).toMatchObject({ price: '35.72', until: null });
    expect(current.some((t) => t.service === 'hot_water')).toBe(false);
  });
});

describe('volumes of a metered service (ПП РФ № 354, пп. 42, 59, 60)', () => {
  it('by meter: the accepted consumption of the period, summed over the service’s meters', () => {
    const facts = given({
      meters: [
        ['K1', 'cold_water'],
        ['K2', 'cold_water'],
      ],
      readings: [
        ['K1', '2026-10', '3.4'],
        ['K2', '2026-10', '1.25'],
      ],
    });
    expect(line(facts, 'cold_water')).toMatchObject({
      volume: '4.65',
      method: 'meter',
      price: '35.72',
      tariffFrom: '2026-01',
      amount: lineAmount(dec('4.65'), '35.72'),
      parts: [{ service: 'cold_water', volume: '4.65', method: 'meter', meters: ['K1', 'K2'] }],
    });
    expect(line(facts, 'cold_water')?.coefficient).toBeUndefined();
  });

  /*
   * п. 59: «…исходя из рассчитанного среднемесячного объема потребления коммунального ресурса
   * потребителем, определенного по показаниям индивидуального или общего (квартирного), комнатного
   * прибора учета за период не менее 6 месяцев, а если период работы прибора учета составил меньше
   * 6 месяцев, - то за фактический период работы прибора учета, но не менее 3 месяцев…»;
   * п. 59 б: «…начиная с расчетного периода, за который потребителем не представлены показания
   * прибора учета до расчетного периода (включительно), за который потребитель представил
   * исполнителю показания прибора учета, но не более 3 расчетных периодов подряд…»;
   * п. 60: «По истечении предельного количества расчетных периодов, указанных в пункте 59 …
   * плата … рассчитывается в соответствии с пунктом 42 настоящих Правил исходя из нормативов
   * потребления коммунальных услуг…».
   */
  it('п. 59: without readings, the average of 6 months, the same figure for at most 3 periods, then the norm (п. 60)', () => {
    const facts = given({
      meters: [['K1', 'cold_water']],
      readings: [
        ['K1', '2026-04', '10'],
        ['K1', '2026-05', '10'],
        ['K1', '2026-06', '10'],
        ['K1', '2026-07', '4'],
        ['K1', '2026-08', '6'],
        ['K1', '2026-09', '8'],
      ],
    });
    // 48 / 6 = 8 for October, November and December — not 6, 7, 8 from a sliding 3 months.
    expect(['2026-10', '2026-11', '2026-12'].map((p) => line(facts, 'cold_water', p)?.volume)).toEqual(['8', '8', '8']);
    expect(line(facts, 'cold_water', '2026-10')?.method).toBe('average');
    // The fourth period without a reading: the norm × residents, without the coefficient (a meter exists).
    const january = line(facts, 'cold_water', '2027-01');
    expect(january).toMatchObject({ volume: '11.4', method: 'norm', amount: lineAmount(dec('11.4'), '35.72') });
    expect(january?.coefficient).toBeUndefined();
  });

  it('п. 59: over the meter’s working period when it is shorter than 6 months, but never under 3', () => {
    const fourMonths = given({
      meters: [['K1', 'cold_water', { installed: '2026-05-20' }]],
      readings: [
        ['K1', '2026-05', '1'],
        ['K1', '2026-06', '3'],
        ['K1', '2026-07', '4'],
        ['K1', '2026-08', '5'],
      ],
    });
    // May–August: (1 + 3 + 4 + 5) / 4 = 3.25.
    expect(line(fourMonths, 'cold_water', '2026-09')).toMatchObject({ volume: '3.25', method: 'average' });
    const twoMonths = given({
      meters: [['K1', 'cold_water', { installed: '2026-07-02' }]],
      readings: [
        ['K1', '2026-07', '4'],
        ['K1', '2026-08', '5'],
      ],
    });
    expect(line(twoMonths, 'cold_water', '2026-09')).toMatchObject({ volume: '11.4', method: 'norm' });
    expect(line(twoMonths, 'cold_water', '2026-09')?.coefficient).toBeUndefined();
  });

  /*
   * п. 59 а: «в случае выхода из строя или утраты ранее введенного в эксплуатацию … прибора учета
   * либо истечения срока его эксплуатации, определяемого периодом времени до очередной поверки, -
   * начиная с даты, когда наступили указанные события, … но не более 3 расчетных периодов подряд»;
   * п. 81(12) д: прибор учета считается вышедшим из строя, если истек интервал между поверками;
   * п. 60 and п. 42: then the norm with the increasing coefficient (the resident must have a
   * working meter and has none).
   */
  it('п. 59 а, п. 60: an expired verification bills the average from the month it lapsed, then the norm × coefficient', () => {
    const months = ['2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06'];
    const facts = given({
      meters: [['K1', 'cold_water', { verifiedUntil: '2026-06-30' }]],
      readings: months.map((p): [string, string, string] => ['K1', p, '5']),
    });
    for (const p of ['2026-07', '2026-08', '2026-09']) {
      expect(line(facts, 'cold_water', p)).toMatchObject({ volume: '5', method: 'average' });
    }
    expect(line(facts, 'cold_water', '2026-10')).toMatchObject({
      volume: '17.1', // 3.8 × 3 × 1.5
      method: 'norm',
      coefficient: '1.5',
    });
    // Lapsing in the middle of August: the event's month is the first of the three.
    const midMonth = given({
      meters: [['K1', 'cold_water', { verifiedUntil: '2026-08-14' }]],
      readings: [...months, '2026-07'].map((p): [string, string, string] => ['K1', p, '5']),
    });
    expect(line(midMonth, 'cold_water', '2026-10')).toMatchObject({ volume: '5', method: 'average' });
    expect(line(midMonth, 'cold_water', '2026-11')).toMatchObject({ volume: '17.1', coefficient: '1.5' });
    expect(
      estimateFor({ serial: 'K1', service: 'cold_water', verifiedUntil: '2026-08-14' }, meterVolumes([]), '2026-09'),
    ).toEqual({ kind: 'norm', expired: true });
  });

  it('a meter replaced after its verification lapsed stops counting from the new meter’s month', () => {
    const facts = given({
      meters: [
        ['OLD', 'cold_water', { verifiedUntil: '2026-03-31', installed: '2020-04-01' }],
        ['NEW', 'cold_water', { verifiedUntil: '2032-08-31', installed: '2026-08-20' }],
      ],
      readings: [
        ['OLD', '2026-03', '4'],
        ['NEW', '2026-09', '6'],
      ],
    });
    // July: the old meter, lapsed since April, past its 3 average months: the norm × coefficient.
    expect(line(facts, 'cold_water', '2026-07')).toMatchObject({ volume: '17.1', coefficient: '1.5' });
    // September: the new meter alone (its first reading covers August and September).
    expect(line(facts, 'cold_water', '2026-09')).toMatchObject({
      volume: '3',
      method: 'meter',
      parts: [{ meters: ['NEW'] }],
    });
  });

  /* п. 42: «…при отсутствии индивидуального … прибора учета холодной воды, горячей воды, электрической
   * энергии и в случае наличия обязанности установки такого прибора учета … исходя из норматива
   * потребления … с применением повышающего коэффициента». */
  it('п. 42: without any meter of the service: the norm × residents × the tariff’s increasing coefficient', () => {
    const facts = given();
    expect(line(facts, 'cold_water')).toMatchObject({
      volume: '17.1', // 3.8 × 3 × 1.5
      method: 'norm',
      coefficient: '1.5',
      amount: lineAmount(dec('17.1'), '35.72'),
    });
    // No coefficient in the tariff: the plain norm.
    expect(line(facts, 'electricity')).toMatchObject({ volume: '264', method: 'norm' });
    expect(line(facts, 'electricity')?.coefficient).toBeUndefined();
  });

  it('the coefficient is for cold water, hot water and electricity only, and never where an act says no meter can be installed', () => {
    const tariffs: Tariff[] = [
      ...TARIFFS.filter((t) => t.service !== 'electricity'),
      { service: 'electricity', unit: 'кВт·ч', price: '6.72', norm: '88', from: '2026-01', coefficient: '1.5' },
      { service: 'gas', unit: 'м³', price: '8.61', norm: '9.8', from: '2026-01', coefficient: '1.5' },
    ];
    const facts = given({ tariffs });
    expect(line(facts, 'electricity')).toMatchObject({ volume: '396', coefficient: '1.5' });
    // A coefficient on gas (the import refuses it; an old item may carry it) is not applied.
    expect(line(facts, 'gas')).toMatchObject({ volume: '29.4', method: 'norm' });
    expect(line(facts, 'gas')?.coefficient).toBeUndefined();
    const inspected = given({ tariffs, account: { noMeterPossible: ['cold_water', 'electricity'] } });
    expect(line(inspected, 'cold_water')).toMatchObject({ volume: '11.4', method: 'norm' });
    expect(line(inspected, 'cold_water')?.coefficient).toBeUndefined();
    expect(line(inspected, 'electricity')?.coefficient).toBeUndefined();
    expect(line(inspected, 'hot_water')).toMatchObject({ volume: '13.545', coefficient: '1.5' });
  });

  it('with one of two meters unread and without history: the whole service by the norm', () => {
    const facts = given({
      meters: [
        ['K1', 'cold_water'],
        ['K2', 'cold_water'],
      ],
      readings: [['K1', '2026-10', '3']],
    });
    expect(line(facts, 'cold_water')).toMatchObject({ volume: '11.4', method: 'norm' });
  });

  /* п. 56(2): «При отсутствии постоянно и временно проживающих в жилом помещении граждан объем
   * коммунальных услуг рассчитывается с учетом количества собственников такого помещения». */
  it('п. 56(2): nobody living in the flat: norm services and waste by the number of owners', () => {
    const facts = given({ account: { residents: 0, owners: 2 } });
    expect(line(facts, 'cold_water')).toMatchObject({ volume: '11.4', coefficient: '1.5' }); // 3.8 × 2 × 1.5
    expect(line(facts, 'waste')).toMatchObject({ volume: '2', method: 'residents', amount: 29010 });
    expect(line(given({ account: { residents: 0 } }), 'waste')).toMatchObject({ volume: '1', amount: 14505 });
    // Residents, when there are any, stand whatever the owners.
    expect(line(given({ account: { residents: 1, owners: 3 } }), 'waste')).toMatchObject({ volume: '1' });
  });

  it('a reading after skipped months spreads its consumption over them, the remainder on its own month', () => {
    const volumes = meterVolumes([
      { serial: 'K1', service: 'cold_water', period: '2026-06', consumption: '3' },
      { serial: 'K1', service: 'cold_water', period: '2026-09', consumption: '10' },
    ]);
    const k1 = volumes.get('K1');
    expect(k1?.get('2026-06')?.toFixed()).toBe('3');
    expect(k1?.get('2026-07')?.toFixed()).toBe('3.333');
    expect(k1?.get('2026-08')?.toFixed()).toBe('3.333');
    expect(k1?.get('2026-09')?.toFixed()).toBe('3.334');
    // June to September, 4 months of a meter read since June: 13 / 4.
    const estimate = estimateFor({ serial: 'K1', service: 'cold_water' }, volumes, '2026-10');
    expect(estimate.kind === 'average' && estimate.volume.toFixed()).toBe('3.25');
    // Tiny consumption never leaves a negative remainder.
    const tiny = meterVolumes([
      { serial: 'K', service: 'gas', period: '2026-01', consumption: '1' },
      { serial: 'K', service: 'gas', period: '2026-05', consumption: '0.002' },
    ]).get('K');
    expect([...(tiny?.values() ?? [])].every((v) => v.gte(0))).toBe(true);
    expect(tiny?.get('2026-05')?.toFixed()).toBe('0.002');
  });

  it('a new meter’s first reading covers the months since its installation', () => {
    const volumes = meterVolumes(
      [{ serial: 'K1', service: 'cold_water', period: '2026-09', consumption: '9' }],
      [{ serial: 'K1', service: 'cold_water', installed: '2026-07-20' }],
    );
    expect([...(volumes.get('K1')?.entries() ?? [])].map(([p, v]) => [p, v.toFixed()])).toEqual([
      ['2026-07', '3'],
      ['2026-08', '3'],
      ['2026-09', '3'],
    ]);
  });
});

describe('wastewater, area and resident services', () => {
  it('wastewater is the cold plus the hot water volume, each by its own rule, without their coefficients', () => {
    const facts = given({ meters: [['K1', 'cold_water']], readings: [['K1', '2026-10', '4.2']] });
    // Cold by meter 4.2; hot has no meter: norm 3.01 × 3 = 9.03 (its ×1.5 is a price rule, not a volume).
    expect(line(facts, 'wastewater')).toMatchObject({
      volume: '13.23',
      method: 'norm',
      price: '31',
      amount: lineAmount(dec('13.23'), '31'),
      parts: [
        { service: 'cold_water', volume: '4.2', method: 'meter', meters: ['K1'] },
        { service: 'hot_water', volume: '9.03', method: 'norm', meters: [] },
      ],
    });
    expect(line(facts, 'hot_water')).toMatchObject({ volume: '13.545', coefficient: '1.5' });
  });

  it('a flat without hot water drains its cold water only', () => {
    // The case: 7 m³ of cold water on the meter, 2 residents, no hot water: 7, not 13.02.
    const facts = given({
      account: { residents: 2, services: ['cold_water', 'wastewater', 'electricity'] },
      meters: [['K1', 'cold_water']],
      readings: [['K1', '2026-10', '7']],
    });
    expect(line(facts, 'wastewater')).toMatchObject({
      volume: '7',
      method: 'meter',
      parts: [{ service: 'cold_water', volume: '7', method: 'meter', meters: ['K1'] }],
    });
    // No hot water tariff at all: the same.
    const noHotTariff = given({ tariffs: TARIFFS.filter((t) => t.service !== 'hot_water') });
    expect(line(noHotTariff, 'wastewater')).toMatchObject({ volume: '11.4', method: 'norm' }); // cold's norm 3.8 × 3
  });

  it('wastewater falls back on its own norm when the flat is billed for no water', () => {
    const facts = given({ account: { services: ['wastewater'] } });
    expect(line(facts, 'wastewater')).toMatchObject({ volume: '20.43', method: 'norm' });
  });

  it('area services are area × norm; resident services residents × norm', () => {
    const facts = given({ account: { area: '54.3', residents: 3 } });
    expect(line(facts, 'heating')).toMatchObject({ volume: '1.00998', method: 'area', amount: 266325 });
    expect(line(facts, 'maintenance')).toMatchObject({ volume: '54.3', method: 'area', amount: 151280 });
    expect(line(facts, 'waste')).toMatchObject({ volume: '3', method: 'residents', amount: 43515 });
  });
});

describe('a new meter (`installed`)', () => {
  const tariffs = TARIFFS;
  const account = anAccount({ services: ['cold_water'] });
  const meter: MeterFact = { serial: 'K1', service: 'cold_water', installed: '2026-08-10' };

  it('recalculates the months billed by the norm since its installation, and never the months before', () => {
    // The operator registers the meter only in October, with its installation date in August.
    const before: BillingFacts = { account, meters: [], readings: [], tariffs };
    const ledger = runMonths(before, ['2026-07', '2026-08', '2026-09']);
    const byNorm = lineAmount(dec('17.1'), '35.72');
    expect(ledger.map((e) => e.lines[0]?.amount)).toEqual([byNorm, byNorm, byNorm]);
    const after: BillingFacts = {
      account,
      meters: [meter],
      readings: [{ serial: 'K1', service: 'cold_water', period: '2026-10', consumption: '9.3' }],
      tariffs,
    };
    runMonths(after, ['2026-10'], ledger);
    const [, , , october, recalc] = ledger;
    expect(october?.lines[0]).toMatchObject({ method: 'meter', volume: '3.1' });
    expect(((recalc?.lines ?? []) as RecalcLine[]).map((l) => [l.forPeriod, l.volume, l.amount])).toEqual([
      ['2026-08', '3.1', lineAmount(dec('3.1'), '35.72') - byNorm],
      ['2026-09', '3.1', lineAmount(dec('3.1'), '35.72') - byNorm],
    ]);
    // July, before the installation, stays as billed; a second run changes nothing.
    runMonths(after, ['2026-11'], ledger);
    expect(ledger.filter((e) => e.kind === 'recalc')).toHaveLength(1);
  });

  it('a meter known since its installation bills its first months by the plain norm until it is read', () => {
    const facts: BillingFacts = { account, meters: [meter], readings: [], tariffs };
    expect(line(facts, 'cold_water', '2026-07')).toMatchObject({ volume: '17.1', coefficient: '1.5' });
    const august = line(facts, 'cold_water', '2026-08');
    expect(august).toMatchObject({ volume: '11.4', method: 'norm', parts: [{ meters: ['K1'] }] });
    expect(august?.coefficient).toBeUndefined();
  });
});

describe('invariants (fast-check)', () => {
  const PERIODS = Array.from({ length: 15 }, (_, i) => addMonths('2026-01', i)); // 2026-01 … 2027-03
  const price = '35.72';
  const scenario = fc.record({
    installedAt: fc.integer({ min: 0, max: 4 }),
    registeredAfter: fc.integer({ min: 0, max: 2 }),
    residents: fc.integer({ min: 0, max: 4 }),
    readings: fc.array(
      fc.record({ present: fc.boolean(), thousandths: fc.integer({ min: 0, max: 20_000 }), lag: fc.nat(3) }),
      { minLength: 12, maxLength: 12 },
    ),
  });

  // 300 generated histories, each billed month by month: seconds, more on a loaded machine.
  it('a month is never paid by the norm and by the meter, and its recalculations sum to the difference', {
    timeout: 30_000,
  }, () => {
    fc.assert(
      fc.property(scenario, ({ installedAt, registeredAfter, residents, readings }) => {
        const installed = PERIODS[installedAt] as string;
        const registered = PERIODS[installedAt + registeredAfter] as string;
        const meter: MeterFact = { serial: 'K1', service: 'cold_water', installed: `${installed}-15` };
        // Readings of 2026, in order, each arriving on time or up to 3 months late (never before an earlier one).
        const arriving: Array<ReadingFact & { arrives: string }> = [];
        let last = registered;
        readings.forEach((r, i) => {
          const period = PERIODS[i] as string;
          if (period < installed || !r.present) return;
          const late = addMonths(period, r.lag);
          if (late > last) last = late;
          const consumption = dec(r.thousandths).dividedBy(1000).toFixed();
          arriving.push({ serial: 'K1', service: 'cold_water', period, consumption, arrives: last });
        });
        const account = anAccount({ services: ['cold_water'], residents });
        const ledger: LedgerEntry[] = [];
        for (const period of PERIODS) {
          const facts: BillingFacts = {
            account,
            meters: period >= registered ? [meter] : [],
            readings: arriving.filter((r) => r.arrives <= period),
            tariffs: TARIFFS,
          };
          runMonths(facts, [period], ledger);
        }
        const final = meterVolumes(arriving, [meter]).get('K1') ?? new Map();
        for (const period of PERIODS) {
          const charged = ledger.find((e) => e.kind === 'charge' && e.period === period)?.lines[0]?.amount ?? 0;
          const recalcs = ledger
            .filter((e) => e.kind === 'recalc')
            .flatMap((e) => e.lines as RecalcLine[])
            .filter((l) => l.forPeriod === period);
          const net = charged + recalcs.reduce((s, l) => s + l.amount, 0);
          // Recalculations sum to the difference between what the month came to and what it was charged.
          const latest = recalcs.at(-1);
          if (latest) expect(latest.revisedAmount - charged).toBe(recalcs.reduce((s, l) => s + l.amount, 0));
          // Known in time for the look-back: the month comes to its metered volume, nothing more.
          const knownBy = addMonths(period, RECALC_LOOKBACK_PERIODS);
          const knownInTime = meterVolumes(
            arriving.filter((r) => r.arrives <= knownBy),
            [meter],
          )
            .get('K1')
            ?.get(period);
          if (knownInTime) expect(net).toBe(lineAmount(knownInTime, price));
          else expect(recalcs).toEqual([]);
          if (period < installed) expect(final.has(period)).toBe(false);
        }
        // The volumes the months are billed on add up to what the meter counted: nothing twice, nothing lost.
        const counted = arriving.reduce((s, r) => s.plus(r.consumption), dec(0));
        const billed = [...final.values()].reduce((s, v) => s.plus(v), dec(0));
        expect(billed.toFixed()).toBe(counted.toFixed());
      }),
      { numRuns: 300 },
    );
  });

  it('п. 59: the average is the same figure for each of the 3 periods after the last reading, then the norm', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 50_000 }), { minLength: 6, maxLength: 6 }), (thousandths) => {
        const months = ['2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06'];
        const facts = given({
          meters: [['K1', 'cold_water']],
          readings: months.map((p, i): [string, string, string] => [
            'K1',
            p,
            dec(thousandths[i] as number)
              .dividedBy(1000)
              .toFixed(),
          ]),
        });
        const sum = thousandths.reduce((a, b) => a + b, 0);
        const average = dec(sum).dividedBy(6000).toDecimalPlaces(3, Dec.ROUND_HALF_UP).toFixed();
        const volumes = ['2026-07', '2026-08', '2026-09'].map((p) => line(facts, 'cold_water', p)?.volume);
        expect(volumes).toEqual([average, average, average]);
        expect(line(facts, 'cold_water', '2026-10')).toMatchObject({ method: 'norm', volume: '11.4' });
      }),
    );
  });
});

describe('the services billed', () => {
  it('are the account’s list when it has one, and a service without a tariff is reported, not charged', () => {
    const facts = given({ account: { services: ['cold_water', 'gas', 'waste'] } });
    const { lines, withoutTariff } = chargesForPeriod(facts, '2026-10');
    expect(lines.map((l) => l.service)).toEqual(['cold_water', 'waste']);
    expect(withoutTariff).toEqual(['gas']);
  });

  it('are every service with a tariff otherwise, single-rate or day/night electricity but never both', () => {
    expect(billedServices(given(), '2026-10')).toEqual([
      'cold_water',
      'hot_water',
      'wastewater',
      'electricity',
      'heating',
      'maintenance',
      'waste',
    ]);
    const twoRate = given({
      meters: [
        ['E-T1', 'electricity_day'],
        ['E-T2', 'electricity_night'],
      ],
    });
    expect(billedServices(twoRate, '2026-10')).toContain('electricity_day');
    expect(billedServices(twoRate, '2026-10')).not.toContain('electricity');
    // Before 2026-01 only cold water has a tariff.
    expect(billedServices(given(), '2025-10')).toEqual(['cold_water']);
  });
});

/** One month's run after another, the ledger growing as the real one does. */
function runMonths(facts: BillingFacts, periods: string[], ledger: LedgerEntry[] = []): LedgerEntry[] {
  for (const period of periods) {
    const bill = billAccount(facts, ledger, period, `${period}-28T00:00:00Z`);
    if (bill.status === 'already_billed') continue;
    if (bill.charge) ledger.push(bill.charge);
    if (bill.recalc) ledger.push(bill.recalc);
  }
  return ledger;
}

const coldOnly = { services: ['cold_water'] as ServiceId[] };

describe('recalculations', () => {
  const history: Array<[string, string, string]> = [
    ['K1', '2026-06', '3'],
    ['K1', '2026-07', '3'],
    ['K1', '2026-08', '3'],
  ];

  it('a period billed by average that later gets its own reading is corrected in the next run, as a separate signed line', () => {
    const facts = given({ account: coldOnly, meters: [['K1', 'cold_water']], readings: history });
    const ledger = runMonths(facts, ['2026-09']);
    expect(ledger[0]?.lines[0]).toMatchObject({ method: 'average', volume: '3', amount: lineAmount(dec(3), '35.72') });

    // September's reading arrives late (a bank forwards it in October), and October's in time.
    const late = given({
      account: coldOnly,
      meters: [['K1', 'cold_water']],
      readings: [...history, ['K1', '2026-09', '5'], ['K1', '2026-10', '2']],
    });
    const bill = billAccount(late, ledger, '2026-10', '2026-11-01T00:10:00Z');
    expect(bill.status).toBe('billed');
    if (bill.status === 'already_billed') return;
    expect(bill.charge?.lines).toMatchObject([{ service: 'cold_water', method: 'meter', volume: '2' }]);
    expect(bill.recalc).toMatchObject({ sk: 'LEDGER#2026-10#recalc#billing', period: '2026-10' });
    expect(bill.recalc?.lines).toEqual([
      expect.objectContaining({
        service: 'cold_water',
        forPeriod: '2026-09',
        method: 'meter',
        volume: '5',
        billedAmount: 10716,
        revisedAmount: 17860,
        amount: 7144,
      }),
    ]);
  });

  it('a reading after a skipped month covers it: the skipped month is recalculated to its share, once', () => {
    const facts = given({ account: coldOnly, meters: [['K1', 'cold_water']], readings: history });
    const ledger = runMonths(facts, ['2026-09']);
    // No September reading; October's consumption (since August's value) covers both months.
    const later = given({
      account: coldOnly,
      meters: [['K1', 'cold_water']],
      readings: [...history, ['K1', '2026-10', '7']],
    });
    runMonths(later, ['2026-10'], ledger);
    const [, october, recalc] = ledger;
    expect(october?.lines[0]).toMatchObject({ method: 'meter', volume: '3.5' });
    expect(recalc?.lines[0]).toMatchObject({ forPeriod: '2026-09', volume: '3.5', amount: 1786 }); // (3.5 − 3) × 35.72
    // Over both months the resident pays for exactly the 7 m³ used.
    const net = ledger.flatMap((e) => e.lines).reduce((s, l) => s + l.amount, 0);
    expect(net).toBe(2 * lineAmount(dec('3.5'), '35.72'));
    // November's run finds nothing more to recalculate.
    runMonths(later, ['2026-11'], ledger);
    expect(ledger.filter((e) => e.kind === 'recalc')).toHaveLength(1);
  });

  it('a negative difference is a credit', () => {
    const facts = given({ account: coldOnly, meters: [['K1', 'cold_water']], readings: history });
    const ledger = runMonths(facts, ['2026-09']);
    const later = given({
      account: coldOnly,
      meters: [['K1', 'cold_water']],
      readings: [...history, ['K1', '2026-09', '1']],
    });
    const [recalc] = recalculations(later, ledger, '2026-10');
    expect(recalc).toMatchObject({ forPeriod: '2026-09', amount: lineAmount(dec(1), '35.72') - 10716 });
    expect(recalc?.amount).toBeLessThan(0);
  });

  it('waits until every meter of the service has its reading, and revises the wastewater with the water', () => {
    const meters: Array<[string, ServiceId]> = [
      ['K1', 'cold_water'],
      ['K2', 'cold_water'],
      ['H1', 'hot_water'],
    ];
    // Three months of history (п. 59: not under 3), then September without the cold water readings.
    const base: Array<[string, string, string]> = [
      ...['2026-06', '2026-07', '2026-08'].flatMap(
        (p): Array<[string, string, string]> => [
          ['K1', p, '2'],
          ['K2', p, '1'],
          ['H1', p, '2'],
        ],
      ),
      ['H1', '2026-09', '2'],
    ];
    const services = ['cold_water', 'hot_water', 'wastewater'] as ServiceId[];
    const ledger = runMonths(given({ account: { services }, meters, readings: base }), ['2026-09']);
    const wastewater = ledger[0]?.lines.find((l) => l.service === 'wastewater');
    expect(wastewater).toMatchObject({ volume: '5', method: 'average' });

    const oneLate = given({ account: { services }, meters, readings: [...base, ['K1', '2026-09', '4']] });
    expect(recalculations(oneLate, ledger, '2026-10')).toEqual([]);

    const bothLate = given({
      account: { services },
      meters,
      readings: [...base, ['K1', '2026-09', '4'], ['K2', '2026-09', '0.5']],
    });
    const lines = recalculations(bothLate, ledger, '2026-10');
    expect(lines.map((l) => [l.service, l.volume, l.method])).toEqual([
      ['cold_water', '4.5', 'meter'],
      ['wastewater', '6.5', 'meter'],
    ]);
    expect(lines[1]?.amount).toBe(lineAmount(dec('6.5'), '31') - lineAmount(dec('5'), '31'));
  });

  it('keeps the tariff the period was billed at, and looks back at most 12 periods', () => {
    const autumn: Array<[string, string, string]> = [
      ['K1', '2025-09', '3'],
      ['K1', '2025-10', '3'],
      ['K1', '2025-11', '3'],
    ];
    const facts = given({ account: coldOnly, meters: [['K1', 'cold_water']], readings: autumn });
    const ledger = runMonths(facts, ['2025-12']); // by average at the 2025 price
    expect(ledger[0]?.lines[0]).toMatchObject({ price: '35.12', method: 'average' });
    const late = given({
      account: coldOnly,
      meters: [['K1', 'cold_water']],
      readings: [...autumn, ['K1', '2025-12', '4']],
    });
    expect(recalculations(late, ledger, '2026-01')[0]).toMatchObject({ price: '35.12', amount: 3512 });
    expect(recalculations(late, ledger, addMonths('2025-12', RECALC_LOOKBACK_PERIODS))).toHaveLength(1);
    expect(recalculations(late, ledger, addMonths('2025-12', RECALC_LOOKBACK_PERIODS + 1))).toEqual([]);
  });

  it('never touches lines billed by area, residents, meter, or the norm of an unmetered service', () => {
    const facts = given({ account: { services: ['maintenance', 'waste', 'cold_water', 'hot_water'] } });
    const ledger = runMonths(facts, ['2026-09']);
    const changed = given({ account: { services: ['maintenance', 'waste'], area: '80', residents: 5 } });
    expect(recalculations(changed, ledger, '2026-10')).toEqual([]);
  });
});

describe('a billing run of an account', () => {
  it('writes one charge entry per period, keyed by account and period; a re-run computes nothing', () => {
    const facts = given({ account: coldOnly });
    const first = billAccount(facts, [], '2026-10', '2026-11-01T00:10:00Z');
    expect(first.status).toBe('billed');
    if (first.status === 'already_billed') return;
    expect(first.charge).toMatchObject({
      pk: 'ACC#100001',
      sk: 'LEDGER#2026-10#charge#billing',
      kind: 'charge',
      period: '2026-10',
      total: first.charge?.lines[0]?.amount,
    });
    expect(first.recalc).toBeUndefined();
    const again = billAccount(facts, [first.charge as LedgerEntry], '2026-10', '2026-11-01T01:00:00Z');
    expect(again).toEqual({ status: 'already_billed' });
  });

  it('has nothing to bill without any tariff', () => {
    expect(billAccount(given({ tariffs: [] }), [], '2026-10', 'x')).toEqual({
      status: 'nothing_to_bill',
      withoutTariff: [],
    });
  });

  it('keeps recalculation lines apart from the period’s charges', () => {
    const charge = chargeEntry('100001', '2026-09', [], 'x');
    const recalc = recalcEntry('100001', '2026-10', [], 'x');
    expect(charge.sk).not.toBe(recalc.sk);
    expect(recalc.sk.startsWith('LEDGER#2026-10#recalc#')).toBe(true);
  });
});
