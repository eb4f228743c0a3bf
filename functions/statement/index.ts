import { requireSession } from '#shared/accounts/sessions';
import { STATEMENT_API } from '#shared/api/groups/statement';
import { chargesOf, paymentsOf, publicTariffs, statementCsvOf, statementOf } from '#shared/billing/views';
import { httpApi } from '#shared/http/api';
import { groupEntry } from '#shared/http/entry';

export const handler = groupEntry({
  http: httpApi(
    STATEMENT_API,
    {
      'GET /api/statement': async ({ account, query }) => ({
        body: await statementOf(account, query),
      }),
      'GET /api/statement/csv': async ({ account, query }) => {
        const { range, csv } = await statementCsvOf(account, query);
        return {
          raw: { contentType: 'text/csv; charset=utf-8', body: csv },
          headers: {
            'content-disposition': `attachment; filename="statement-${account}-${range.from}-${range.to}.csv"`,
          },
        };
      },
      'GET /api/statement/charges': async ({ account, query }) => ({
        body: await chargesOf(account, query),
      }),
      'GET /api/statement/payments': async ({ account, query }) => ({
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
