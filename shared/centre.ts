/**
 * The centre's public details, shown by the site and printed on mails and the ЕПД. They are placeholders of the right shape: replace
 * them with the centre's real address, phone and hours before launch.
 */
export const CENTRE = {
  shortName: 'РАЦ Старый Оскол',
  // Non-breaking spaces keep «г. Старый Оскол», «ул. Ленина», «д. 46» on one line, as Russian typesetting wants.
  fullName: 'Расчётно-аналитический центр г.\u00a0Старый Оскол',
  address: '309502, Белгородская обл., г.\u00a0Старый\u00a0Оскол, ул.\u00a0Ленина, д.\u00a046',
  phone: { display: '+7 (4725) 22-40-00', href: 'tel:+74725224000' },
  hours: [
    { days: 'Пн–Чт', time: '8:00–17:00' },
    { days: 'Пт', time: '8:00–16:00' },
    { days: 'Перерыв', time: '12:00–12:48' },
    { days: 'Сб, Вс', time: 'выходные' },
  ],
  /**
   * The payee of the ЕПД and of its payment QR code (ГОСТ Р 56042-2014): whoever receives the
   * residents' money. Placeholders that pass the checks banking apps run (ИНН and account control
   * digits, see shared/epd/requisites.ts) but name a fictitious bank (BIC …999), so a scanned demo
   * bill can never pay anyone. Replace every field with the centre's contract details before launch.
   */
  payee: {
    /** Наименование получателя платежа (QR `Name`, at most 160 characters). */
    name: 'МБУ «Расчётно-аналитический центр»',
    /** ИНН: 10 digits for an organisation. */
    inn: '3128012340',
    /** КПП: 9 characters. */
    kpp: '312801001',
    /** Наименование банка получателя (QR `BankName`, at most 45 characters). */
    bankName: 'АО «Пример Банк», г.\u00a0Белгород',
    /** БИК: 9 digits, `04…`. */
    bic: '041403999',
    /** Корреспондентский счёт банка: 20 digits, `30101…`, ending in the BIC's last 3 digits. */
    correspondentAccount: '30101810200000000999',
    /** Расчётный счёт получателя: 20 digits. */
    settlementAccount: '40702810107010001234',
  },
} as const;
