import { describe, expect, it } from 'vitest';
import { buildOpenApi } from '#shared/api/openapi';
import { ROUTES } from '#shared/routes';

const doc = buildOpenApi() as {
  openapi: string;
  paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
  components: { schemas: Record<string, unknown> };
};

function refs(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) refs(v, found);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') found.push(v);
      else refs(v, found);
    }
  }
  return found;
}

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1 with an operation for every route of the route table', () => {
    expect(doc.openapi).toBe('3.1.0');
    for (const route of ROUTES) {
      expect(doc.paths[route.path.replace(/^\/api/, '')]?.[route.method.toLowerCase()]).toBeDefined();
    }
  });

  it('has no dangling references: every $ref names a component schema', () => {
    const all = refs(doc);
    expect(all.length).toBeGreaterThan(0);
    for (const ref of all) {
      expect(ref).toMatch(/^#\/components\/schemas\//);
      expect(doc.components.schemas[ref.replace('#/components/schemas/', '')]).toBeDefined();
    }
    expect(JSON.stringify(doc)).not.toContain('$defs');
  });

  it('documents the contract error body on error responses', () => {
    const health = doc.paths['/health']?.get?.responses as Record<string, { content?: unknown }>;
    expect(health['400']).toBeDefined();
    expect(doc.components.schemas.Error).toMatchObject({ type: 'object', required: ['error'] });
  });

  it('describes every error in readable Russian: no message built from a missing fact', () => {
    const text = JSON.stringify(doc);
    expect(text).not.toMatch(/NaN|undefined|\[object Object\]/);
    expect(text).toContain('Слишком много попыток. Повторите позже.');
  });
});
