import { buildOpenApi } from '#shared/api/openapi';
import { httpApi } from '#shared/http/api';
import { groupEntry } from '#shared/http/entry';

// Built once per container: the document only changes with a deployment.
let openApi: Record<string, unknown> | undefined;

export const handler = groupEntry({
  http: httpApi('system', {
    'GET /api/health': () => ({ body: { status: 'ok' } }),
    'GET /api/openapi.json': () => {
      openApi ??= buildOpenApi();
      return { body: openApi, headers: { 'cache-control': 'public, max-age=300' } };
    },
  }),
});
