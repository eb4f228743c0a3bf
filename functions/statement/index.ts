import type { z } from 'zod';
import { requireSession } from '#shared/accounts/sessions';
import type { PeriodRange } from '#shared/billing/schemas';
import { chargesOf, paymentsOf, publicTariffs, statementCsvOf, statementOf } from '#shared/billing/views';
import { type ApiRequest, httpApi } from '#shared/http/api';
import { groupEntry } from '#shared/http/entry';

type RangeRequest = ApiRequest<unknown, z.output<typeof PeriodRange>>;

export const handler = groupEntry({
  http: httpApi(
    {
      'GET /api/statement': async ({ account, query }: RangeRequest) => ({
        body: await statementOf(account, query),
      }),
      'GET /api/statement/csv': async ({ account, query }: RangeRequest) => {
        const { range, csv } = await statementCsvOf(account, query);
        return {
          raw: { contentType: 'text/csv; charset=utf-8', body: csv },
          headers: {
            'content-disposition': `attachment; filename="statement-${account}-${range.from}-${range.to}.csv"`,
          },
        };
      },
      'GET /api/statement/charges': async ({ account, query }: RangeRequest) => ({
        body: await chargesOf(account, query),
      }),
      'GET /api/statement/payments': async ({ account, query }: RangeRequest) => ({
        body: await paymentsOf(account, query),
      }),
      // Public and the same for everyone: browsers and CloudFront may keep it for five minutes.
      'GET /api/tariffs': async () => ({
        body: await publicTariffs(),
        headers: { 'cache-control': 'public, max-age=300' },
      }),
    },
    { authenticate: requireSession },
  ),
});
