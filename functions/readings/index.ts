import { READINGS_API } from '#shared/api/groups/readings';
import { httpApi } from '#shared/http/api';
import { groupEntry } from '#shared/http/entry';
import { readingHistory } from '#shared/readings/history';
import { metersPage } from '#shared/readings/metersPage';
import { livePass, startQuickSubmission } from '#shared/readings/quickPass';
import { authenticateReadings, meterReadingsRead } from '#shared/readings/session';
import { submitReadings } from '#shared/readings/submitReadings';

export const handler = groupEntry({
  http: httpApi(
    READINGS_API,
    {
      // `current`: the session's current account (a linked one after switching, accounts/links.ts).
      'GET /api/meters': async ({ current }) => ({ body: await metersPage(current) }),
      'POST /api/readings': async ({ current, body, event }) => ({
        body: await submitReadings(current, body.readings, 'web', { read: meterReadingsRead(event) }),
      }),
      'GET /api/readings': async ({ current, query }) => ({
        body: await readingHistory(current, query),
      }),
      'POST /api/readings/quick/start': async ({ body }) => ({
        body: await startQuickSubmission(body),
      }),
      'POST /api/readings/quick': async ({ body }) => {
        const pass = await livePass(body.ticket);
        return { body: await submitReadings(pass.account, body.readings, 'quick', { pass: pass.use }) };
      },
    },
    { authenticate: authenticateReadings },
  ),
});
