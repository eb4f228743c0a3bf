import { SYSTEM_API } from '#shared/api/groups/system';
import { httpApi } from '#shared/http/api';
import { groupEntry } from '#shared/http/entry';

// Built once per container: the document only changes with a deployment.
let openApi: Record<string, unknown> | undefined;

/**
 * The whole route table and its schemas are loaded on the first request that needs them (the
 * OpenAPI document, an unmatched request's 404 or 405), not at every cold start of the health check.
 */
const allRoutes = () => import('#shared/routes');

export const handler = groupEntry({
  http: httpApi(
    SYSTEM_API,
    {
      'GET /api/health': () => ({ body: { status: 'ok' } }),
      'GET /api/openapi.json': async () => {
        if (!openApi) {
          const { buildOpenApi } = await import('#shared/api/openapi');
          openApi = buildOpenApi();
        }
        return { body: openApi, headers: { 'cache-control': 'public, max-age=300' } };
      },
    },
    // API Gateway's `$default` route brings every unmatched request here.
    { knownPath: async (path) => (await allRoutes()).pathExists(path) },
  ),
});
