import { requireSession } from '#shared/accounts/sessions';
import { epdPdfFor } from '#shared/epd/bill';
import { EpdPathParams } from '#shared/epd/schemas';
import { epdFileName } from '#shared/format';
import { httpApi, parseOrThrow } from '#shared/http/api';
import { groupEntry } from '#shared/http/entry';

/**
 * The resident's ЕПД as PDF. The browser is launched once per container (shared/epd/render.ts)
 * and reused by every request the container serves.
 */
export const handler = groupEntry({
  http: httpApi(
    'epd',
    {
      'GET /api/epd/{period}': async ({ account, params }) => {
        const { period } = parseOrThrow(EpdPathParams, params);
        const { pdf } = await epdPdfFor(account, period);
        return {
          raw: { contentType: 'application/pdf', body: Buffer.from(pdf).toString('base64'), isBase64Encoded: true },
          headers: { 'content-disposition': `attachment; filename="${epdFileName(account, period)}"` },
        };
      },
    },
    { authenticate: requireSession },
  ),
});
