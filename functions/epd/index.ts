import { requireSession } from '#shared/accounts/sessions';
import { EPD_API } from '#shared/api/groups/epd';
import { epdPdfFor } from '#shared/epd/bill';
import { EpdPathParams } from '#shared/epd/schemas';
import { epdFileName } from '#shared/format';
import { httpApi, parseOrThrow } from '#shared/http/api';
import { groupEntry } from '#shared/http/entry';

/**
 * The resident's ЕПД as PDF: the stored file of the bill's state, printed on the first request
 * (shared/epd/bill.ts `epdPdf`). The contract answers the PDF itself, so it is streamed from
 * storage, not redirected to it. The browser is launched once per container (shared/epd/render.ts)
 * and reused by every print the container makes.
 */
export const handler = groupEntry({
  http: httpApi(
    EPD_API,
    {
      // `current`: the session's current account (a linked one after switching, accounts/links.ts).
      'GET /api/epd/{period}': async ({ current, params }) => {
        const { period } = parseOrThrow(EpdPathParams, params);
        const { pdf } = await epdPdfFor(current, period);
        return {
          raw: { contentType: 'application/pdf', body: Buffer.from(pdf).toString('base64'), isBase64Encoded: true },
          headers: { 'content-disposition': `attachment; filename="${epdFileName(current, period)}"` },
        };
      },
    },
    { authenticate: requireSession },
  ),
});
