import { requireSession } from '#shared/accounts/sessions';
import { STATEMENT_API } from '#shared/api/groups/statement';
import { chargesOf, paymentsOf, publicTariffs, statementCsvOf, statementOf } from '#shared/billing/views';
import { httpApi } from '#shared/http/api';
import { groupEntry } from '#shared/http/entry';

export const handler = groupEntry({
  http: httpApi(
    STATEMENT_API,
    {
      // `current`: the session's current account (a linked one after switching, accounts/links.ts).
      'GET /api/statement': async ({ current, query }) => ({
        body: await statementOf(current, query),
      }),
      'GET /api/statement/csv': async ({ current, query }) => {
        const { range, csv } = await statementCsvOf(current, query);
        return {
          raw: { contentType: 'text/csv; charset=utf-8', body: csv },
          headers: {
            'content-disposition': `attachment; filename="statement-${current}-${range.from}-${range.to}.csv"`,
          },
        };
      },
      'GET /api/statement/charges': async ({ current, query }) => ({
        body: await chargesOf(current, query),
      }),
      'GET /api/statement/payments': async ({ current, query }) => ({
        body: await paymentsOf(current, query),
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
