import { createHash } from 'node:crypto';
import { epdFiles } from '#shared/epd/files';
import { buildEpd, type Epd } from '#shared/epd/model';
import { qrSvg } from '#shared/epd/qr';
import { printDocument } from '#shared/epd/render';
import { loadEpdSource } from '#shared/epd/source';
import { EPD_TEMPLATE_VERSION, type EpdDocument, epdDocument, epdHtml } from '#shared/epd/template';
import { DomainError } from '#shared/errors';
import { logger } from '#shared/logger';

/**
 * The use cases behind the route and the issuance: an account's bill for a period, as PDF.
 *
 * A bill is printed once per account, period and state, then served from storage
 * (shared/epd/files.ts: S3 in AWS, the data folder locally). The state is a fingerprint of
 * everything the bill prints (`epdStateHash`), so a ledger change for the month (a bank registry
 * payment that arrives late, an opening balance, a recalculation), a changed registry record or a
 * new layout prints it anew, while the same state serves the stored file, whoever asks first: the
 * issuance night or the resident.
 */

/** The bill's page as its parts, ready to print: the model laid out with its QR code. */
export async function epdParts(epd: Epd): Promise<EpdDocument> {
  return epdDocument(epd, await qrSvg(epd.qrPayload));
}

/** The bill's page as one HTML document (tests and the benchmark look at it whole). */
export async function epdPage(epd: Epd): Promise<string> {
  return epdHtml(epd, await qrSvg(epd.qrPayload));
}

type PrintListener = (epd: Epd) => void;
const printListeners = new Set<PrintListener>();

/** Called at every print (not at a stored bill served): tests count prints with it. */
export function onEpdPrinted(listener: PrintListener): () => void {
  printListeners.add(listener);
  return () => printListeners.delete(listener);
}

/** Prints the bill, always: the issuance and the download go through `epdPdf` instead. */
export async function renderEpd(epd: Epd): Promise<Uint8Array> {
  for (const listener of printListeners) listener(epd);
  return printDocument(await epdParts(epd));
}

/**
 * The fingerprint of what the bill prints: its whole model, but for the day it is formed on, and
 * the template's version. The day is left out so that the bill mailed on the 2nd is the one
 * downloaded on the 9th; the pay-by date stays in, so a bill formed after its due date (which
 * gives days to pay from the day it is formed: model.ts `payByDate`) is printed for that day.
 */
export function epdStateHash(epd: Epd): string {
  const { issuedOn: _formedOn, ...printed } = epd;
  return createHash('sha256')
    .update(`epd-template-${EPD_TEMPLATE_VERSION}\n`)
    .update(JSON.stringify(printed))
    .digest('base64url')
    .slice(0, 22);
}

/** Where the bill of this state is stored: `<period>/<account>-<state>.pdf`. */
export function epdFileKey(epd: Epd): string {
  return `${epd.period}/${epd.account}-${epdStateHash(epd)}.pdf`;
}

/** Prints in flight in this process, by file: a second request for the same bill waits for the first. */
const printing = new Map<string, Promise<Uint8Array>>();

/**
 * The bill's PDF: the stored file of its state, or, the first time, printed and stored. Requests
 * for the same bill at once in this process share one print; in different processes (two Lambda
 * containers) each may print, and the file stored first is the one both answer.
 */
export async function epdPdf(epd: Epd): Promise<{ pdf: Uint8Array; printed: boolean }> {
  const key = epdFileKey(epd);
  const files = epdFiles();
  const stored = await files.read(key);
  if (stored) return { pdf: stored, printed: false };
  let pending = printing.get(key);
  if (pending) return { pdf: await pending, printed: false };
  pending = (async () => files.create(key, await renderEpd(epd)))();
  printing.set(key, pending);
  try {
    const pdf = await pending;
    logger.debug('ЕПД printed and stored', { period: epd.period, bytes: pdf.byteLength });
    return { pdf, printed: true };
  } finally {
    printing.delete(key);
  }
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
  return { epd, pdf: (await epdPdf(epd)).pdf };
}
