import QRCode, { type QRCodeSegment } from 'qrcode';
import { escapeHtml } from '#shared/format';

/** The payment QR code of the ЕПД: the payload (ГОСТ Р 56042-2014) is built in shared/epd/qrPayload.ts. */
export { payerNameFields, paymentQrPayload, type QrPayee, TECH_CODE_HOUSING } from '#shared/epd/qrPayload';

/** The payload as one byte-mode segment of its UTF-8 bytes. */
function segments(payload: string): QRCodeSegment[] {
  return [{ data: Buffer.from(payload, 'utf8'), mode: 'byte' }];
}

const QR_OPTIONS = { errorCorrectionLevel: 'M', margin: 4 } as const;

/** SVG markup made here from a payload, never from data as such: the page inlines it as is. */
export type QrSvg = string & { readonly __qrSvg: unique symbol };

/**
 * The QR code as inline SVG for the bill: vector, so the printed PDF keeps every module sharp, and
 * inline rather than an `<img>` of a data URL, which Chromium parses as a document of its own
 * and decodes at every print (a tenth of a print's CPU, `npm run bench`). The payload is only in
 * the drawn modules, so nothing from it reaches the markup.
 */
export async function qrSvg(payload: string, label = 'QR-код для оплаты'): Promise<QrSvg> {
  const svg = await QRCode.toString(segments(payload), { ...QR_OPTIONS, type: 'svg' });
  if (!svg.startsWith('<svg ')) throw new Error('Unexpected QR code markup');
  return svg.trim().replace('<svg ', `<svg class="qr" role="img" aria-label="${escapeHtml(label)}" `) as QrSvg;
}

/** The QR code as PNG bytes (`scale` pixels per module), for tests that read it back. */
export function qrPng(payload: string, scale = 6): Promise<Buffer> {
  return QRCode.toBuffer(segments(payload), { ...QR_OPTIONS, type: 'png', scale });
}
