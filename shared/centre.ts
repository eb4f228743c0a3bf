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
} as const;
