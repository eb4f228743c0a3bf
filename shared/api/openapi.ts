import * as z from 'zod/mini';
import { addressLimitOf, type RouteDefinition } from '#shared/api/route';
import { ErrorResponse } from '#shared/api/schemas';
import { ERRORS, type ErrorCode } from '#shared/errors';
import { ROUTES } from '#shared/routes';

type JsonSchema = Record<string, unknown>;

/**
 * OpenAPI 3.1 schemas are JSON Schema 2020-12, zod's default target. Schemas named with
 * `z.meta({ id })` come out as local `$defs`; in an OpenAPI document `#` is the document itself, so
 * they move to `components.schemas` and their references follow.
 */
function schemaOf(type: z.core.$ZodType, io: 'input' | 'output', components: Record<string, unknown>): JsonSchema {
  const { $schema: _dialect, $defs, ...schema } = z.toJSONSchema(type, { io, unrepresentable: 'any' }) as JsonSchema;
  const relink = (value: unknown): unknown =>
    JSON.parse(JSON.stringify(value).replaceAll('"#/$defs/', '"#/components/schemas/'));
  for (const [id, def] of Object.entries(($defs ?? {}) as Record<string, unknown>)) components[id] = relink(def);
  return relink(schema) as JsonSchema;
}

/** A message as documentation: texts as they are, messages with facts with their defaults. */
function describe(code: ErrorCode): string {
  const message = ERRORS[code].message;
  if (typeof message === 'string') return message;
  const build = message as (p: unknown) => string;
  // Without its facts a message reads in its general form; one that needs a fact (a limit, a date)
  // shows the fact's name instead: «не больше {max} лицевых счетов».
  const named = new Proxy({}, { get: (_, name) => (typeof name === 'string' ? `{${name}}` : undefined) });
  try {
    const general = build({});
    return /undefined|NaN/.test(general) ? build(named) : general;
  } catch {
    return '';
  }
}

/** OpenAPI 3.1 document of the whole API, generated from the route table and its zod schemas. */
export function buildOpenApi(version = '0.1.0'): Record<string, unknown> {
  const components: Record<string, unknown> = {};
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of ROUTES as readonly RouteDefinition[]) {
    const responses: Record<string, unknown> = {};
    const success = route.success;
    responses[String(success.status)] = {
      description: 'Успешно',
      ...(success.body
        ? { content: { 'application/json': { schema: schemaOf(success.body, 'output', components) } } }
        : success.contentType
          ? { content: { [success.contentType]: { schema: { type: 'string', format: 'binary' } } } }
          : {}),
    };
    for (const other of route.otherSuccess ?? []) {
      responses[String(other.status)] = {
        description: other.description,
        content: { 'application/json': { schema: schemaOf(other.body, 'output', components) } },
      };
    }
    const errors: ErrorCode[] = [...(route.errors ?? []), 'invalid_input'];
    if (route.auth) errors.push('unauthorized');
    if (addressLimitOf(route)) errors.push('too_many_attempts');
    if (['POST', 'PUT', 'PATCH', 'DELETE'].includes(route.method) && !route.csrfExempt) errors.push('csrf');
    for (const [status, group] of Object.entries(Object.groupBy(new Set(errors), (c) => String(ERRORS[c].status)))) {
      responses[status] = {
        description: (group ?? []).map((c) => `\`${c}\`: ${describe(c)}`).join('; '),
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      };
    }
    const parameters: unknown[] = [];
    for (const match of route.path.matchAll(/\{(\w+)\}/g)) {
      parameters.push({ name: match[1], in: 'path', required: true, schema: { type: 'string' } });
    }
    if (route.query) {
      for (const [name, type] of Object.entries(route.query._zod.def.shape)) {
        parameters.push({
          name,
          in: 'query',
          required: !z.safeParse(type, undefined).success,
          schema: schemaOf(type, 'input', components),
        });
      }
    }
    const path = route.path.replace(/^\/api/, '');
    paths[path] ??= {};
    (paths[path] as Record<string, unknown>)[route.method.toLowerCase()] = {
      summary: route.summary,
      tags: [route.tag],
      operationId: `${route.method.toLowerCase()}${route.path.replace(/[^a-zA-Z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`,
      ...(route.auth ? { security: [{ session: [] }] } : { security: [] }),
      ...(parameters.length ? { parameters } : {}),
      ...(route.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: schemaOf(route.body, 'input', components) } },
            },
          }
        : {}),
      responses,
    };
  }
  // The contract's error body, referenced by every error response.
  schemaOf(ErrorResponse, 'output', components);
  return {
    openapi: '3.1.0',
    info: {
      title: 'Личный кабинет РАЦ — API',
      version,
      description:
        'API личного кабинета жителя. Суммы — целые копейки, периоды — ГГГГ-ММ (Europe/Moscow). ' +
        'Изменяющие запросы требуют заголовок X-Requested-With: XMLHttpRequest.',
    },
    servers: [{ url: '/api' }],
    paths,
    components: {
      schemas: components,
      securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: '__Host-rac_session' } },
    },
  };
}
