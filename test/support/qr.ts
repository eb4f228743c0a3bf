import jsQR from 'jsqr';
import { PNG } from 'pngjs';

/**
 * Reads the QR code in a PNG as a banking app would: the symbol's bytes, decoded as UTF-8 (the
 * encoding the header `ST00012` declares). Undefined when no code is found.
 */
export function decodeQrPng(png: Uint8Array): string | undefined {
  const image = PNG.sync.read(Buffer.from(png));
  const found = jsQR(new Uint8ClampedArray(image.data), image.width, image.height);
  if (!found) return undefined;
  return Buffer.from(found.binaryData).toString('utf8');
}

/** The modes of the code's segments, e.g. ['byte']; tells byte mode from ECI or kanji. */
export function qrModes(png: Uint8Array): string[] {
  const image = PNG.sync.read(Buffer.from(png));
  const found = jsQR(new Uint8ClampedArray(image.data), image.width, image.height);
  return found ? found.chunks.map((c) => c.type) : [];
}
