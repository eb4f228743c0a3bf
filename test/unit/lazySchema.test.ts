import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { lazySchema } from '#shared/api/lazySchema';
import '#shared/api/schemas';

describe('schemas built on first use (lazySchema)', () => {
  it('builds nothing when imported, put in a route table or in another schema; builds once when used', () => {
    let builds = 0;
    const Inner = lazySchema(() => {
      builds++;
      return z.string().check(z.minLength(2, 'Слишком коротко'));
    });
    const Outer = lazySchema(() => z.object({ items: z.array(Inner) }));
    const route = { body: Outer };
    expect(builds).toBe(0);
    expect(route.body.safeParse({ items: ['ab'] }).success).toBe(true);
    expect(route.body.safeParse({ items: ['ab', 'cd'] }).success).toBe(true);
    expect(builds).toBe(1);
  });

  it('validates and answers as the schema it stands for: same output, same Russian messages', () => {
    const build = () =>
      z.object({
        value: z.pipe(
          z.union([z.string(), z.number()]),
          z.transform((v: string | number) => String(v)),
        ),
        count: z.number().check(z.int(), z.gte(1, 'Не меньше одного')),
      });
    const eager = build();
    const lazy = lazySchema(build);
    for (const input of [{ value: 12.5, count: 2 }, { value: 'x', count: 0 }, { count: 'два' }, null]) {
      const a = eager.safeParse(input);
      const b = lazy.safeParse(input);
      expect(b.success).toBe(a.success);
      expect(b.data).toEqual(a.data);
      expect(b.error?.issues.map((i) => i.message)).toEqual(a.error?.issues.map((i) => i.message));
    }
    expect(lazy).toBeInstanceOf(z.ZodMiniObject);
    expect(Object.keys(lazy.shape)).toEqual(['value', 'count']);
  });

  it('gives the same JSON Schema as the schema built at once: named schemas stay components', () => {
    const shapes = () => {
      const Item = z
        .object({ id: z.string().check(z.meta({ description: 'Номер' })) })
        .check(z.meta({ id: 'LazyTestItem' }));
      const Value = z
        .pipe(z.union([z.string(), z.number()]), z.transform(String))
        .check(z.meta({ description: 'Значение' }));
      return { Item, List: z.object({ items: z.array(Item), first: z.optional(Item), value: Value }) };
    };
    const eager = shapes();
    const eagerJson = z.toJSONSchema(eager.List, { io: 'output', unrepresentable: 'any' });
    const eagerInput = z.toJSONSchema(eager.List, { io: 'input', unrepresentable: 'any' });
    z.globalRegistry.remove(eager.Item);
    const Item = lazySchema(() =>
      z.object({ id: z.string().check(z.meta({ description: 'Номер' })) }).check(z.meta({ id: 'LazyTestItem' })),
    );
    // A transform's JSON Schema is its output's: the generator's bookkeeping must follow the stand-in.
    const Value = lazySchema(() =>
      z.pipe(z.union([z.string(), z.number()]), z.transform(String)).check(z.meta({ description: 'Значение' })),
    );
    const List = lazySchema(() => z.object({ items: z.array(Item), first: z.optional(Item), value: Value }));
    expect(z.toJSONSchema(List, { io: 'output', unrepresentable: 'any' })).toEqual(eagerJson);
    expect(z.toJSONSchema(List, { io: 'input', unrepresentable: 'any' })).toEqual(eagerInput);
    expect(eagerJson).toMatchObject({ $defs: { LazyTestItem: { type: 'object' } } });
  });

  it('is marked pure at every call in shared/, so a bundle drops the schemas its group never uses', () => {
    const unmarked: string[] = [];
    for (const file of readdirSync('shared', { recursive: true, encoding: 'utf8' })) {
      if (!file.endsWith('.ts') || file === path.join('api', 'lazySchema.ts')) continue;
      readFileSync(path.join('shared', file), 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (/\blazySchema\(/.test(line) && !/\/\* @__PURE__ \*\/ lazySchema\(/.test(line) && !/^import /.test(line)) {
            unmarked.push(`shared/${file}:${i + 1}`);
          }
        });
    }
    expect(unmarked).toEqual([]);
  });
});
