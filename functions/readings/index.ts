import type { z } from 'zod';
import { requireSession } from '#shared/accounts/sessions';
import { type ApiRequest, httpApi } from '#shared/http/api';
import { groupEntry } from '#shared/http/entry';
import { accountOfTicket, startQuickSubmission } from '#shared/readings/quick';
import { metersPage, readingHistory, submitReadings } from '#shared/readings/readings';
import type {
  HistoryQuery,
  QuickStartRequest,
  QuickSubmitRequest,
  SubmitReadingsRequest,
} from '#shared/readings/schemas';

export const handler = groupEntry({
  http: httpApi(
    {
      'GET /api/meters': async ({ account }) => ({ body: await metersPage(account) }),
      'POST /api/readings': async ({ account, body }: ApiRequest<z.output<typeof SubmitReadingsRequest>>) => ({
        body: await submitReadings(account, body.readings, 'web'),
      }),
      'GET /api/readings': async ({ account, query }: ApiRequest<unknown, z.output<typeof HistoryQuery>>) => ({
        body: await readingHistory(account, query),
      }),
      'POST /api/readings/quick/start': async ({ body }: ApiRequest<z.output<typeof QuickStartRequest>>) => ({
        body: await startQuickSubmission(body),
      }),
      'POST /api/readings/quick': async ({ body }: ApiRequest<z.output<typeof QuickSubmitRequest>>) => ({
        body: await submitReadings(await accountOfTicket(body.ticket), body.readings, 'quick'),
      }),
    },
    { authenticate: requireSession },
  ),
});
