import { buildEpd, type Epd } from '#shared/epd/model';
import { qrSvgDataUrl } from '#shared/epd/qr';
import { htmlToPdf } from '#shared/epd/render';
import { loadEpdSource } from '#shared/epd/source';
import { epdHtml } from '#shared/epd/template';
import { DomainError } from '#shared/errors';

/** The use cases behind the route and the issuance: an account's bill for a period, as PDF. */

/** The bill's page, ready to print: the model laid out with its QR code. */
export async function epdPage(epd: Epd): Promise<string> {
  return epdHtml(epd, await qrSvgDataUrl(epd.qrPayload));
}

export async function renderEpd(epd: Epd): Promise<Uint8Array> {
  return htmlToPdf(await epdPage(epd));
}

/** The bill's data, or undefined when the period was not billed for the account. */
export async function epdOf(account: string, period: string): Promise<Epd | undefined> {
  const loaded = await loadEpdSource(account, period);
  return loaded.status === 'billed' ? buildEpd(loaded.source) : undefined;
}

/** The PDF a resident downloads; 404 `no_bill` for a period without charges. */
export async function epdPdfFor(account: string, period: string): Promise<{ epd: Epd; pdf: Uint8Array }> {
  const epd = await epdOf(account, period);
  if (!epd) throw DomainError.of('no_bill');
  return { epd, pdf: await renderEpd(epd) };
}
