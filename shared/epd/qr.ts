import QRCode, { type QRCodeSegment } from 'qrcode';

/** The payment QR code of the ЕПД: the payload (ГОСТ Р 56042-2014) is built in shared/epd/qrPayload.ts. */
export { payerNameFields, paymentQrPayload, type QrPayee, TECH_CODE_HOUSING } from '#shared/epd/qrPayload';

/** The payload as one byte-mode segment of its UTF-8 bytes. */
function segments(payload: string): QRCodeSegment[] {
  return [{ data: Buffer.from(payload, 'utf8'), mode: 'byte' }];
}

const QR_OPTIONS = { errorCorrectionLevel: 'M', margin: 4 } as const;

/** The QR code as an SVG data URL: vector, so the printed PDF keeps every module sharp. */
export async function qrSvgDataUrl(payload: string): Promise<string> {
  const svg = await QRCode.toString(segments(payload), { ...QR_OPTIONS, type: 'svg' });
  return `data:image/svg+xml;base64,${Buffer.from(svg, 'utf8').toString('base64')}`;
}

/** The QR code as PNG bytes (`scale` pixels per module), for tests that read it back. */
export function qrPng(payload: string, scale = 6): Promise<Buffer> {
  return QRCode.toBuffer(segments(payload), { ...QR_OPTIONS, type: 'png', scale });
}
