/**
 * Russian mobile numbers as residents type them: `8 912 345-67-89`, `+7 (912) 345 67 89`,
 * `79123456789`, `9123456789`. Normalised to E.164 `+79123456789`, the form SMS gateways take and
 * the one stored. Only mobile numbers (+7 9XX, ITU's Russian mobile ranges): a code cannot be
 * texted to a landline. Pure: the site's form and the server say the same thing.
 */
export type PhoneCheck = { ok: true; phone: string } | { ok: false; message: string };

export const PHONE_EXAMPLE = '+7 912 345-67-89';

export function normalisePhone(input: string): PhoneCheck {
  const trimmed = input.trim();
  if (!trimmed) return { ok: false, message: 'Укажите номер мобильного телефона' };
  if (!/^\+?[\d\s().-]+$/.test(trimmed)) {
    return { ok: false, message: `Номер телефона — только цифры, например ${PHONE_EXAMPLE}` };
  }
  const plus = trimmed.startsWith('+');
  const digits = trimmed.replace(/\D/g, '');
  let national: string | undefined;
  if (plus) {
    if (!digits.startsWith('7')) return { ok: false, message: 'Коды отправляются только на российские номера (+7)' };
    national = digits.length === 11 ? digits.slice(1) : undefined;
  } else if (digits.length === 11 && (digits.startsWith('8') || digits.startsWith('7'))) {
    national = digits.slice(1);
  } else if (digits.length === 10) {
    national = digits;
  }
  if (!national) return { ok: false, message: `В номере должно быть 11 цифр, например ${PHONE_EXAMPLE}` };
  if (!national.startsWith('9')) {
    return { ok: false, message: `Коды приходят только на мобильный телефон: номер вида ${PHONE_EXAMPLE}` };
  }
  return { ok: true, phone: `+7${national}` };
}

/** `+79123456789` → `+7 912 345-67-89`, for pages and mails. */
export function formatPhone(phone: string): string {
  const m = /^\+7(\d{3})(\d{3})(\d{2})(\d{2})$/.exec(phone);
  return m ? `+7 ${m[1]} ${m[2]}-${m[3]}-${m[4]}` : phone;
}

/** `+79123456789` → `+7 ••• •••-67-89`: enough to recognise one's own phone, not to learn it. */
export function maskPhone(phone: string): string {
  const m = /^\+7\d{3}\d{3}(\d{2})(\d{2})$/.exec(phone);
  return m ? `+7 ••• •••-${m[1]}-${m[2]}` : '•••';
}
