import { globalRegistry } from 'zod/mini';

/**
 * A schema built on first use instead of when its module loads (issue 13). Every call in a zod
 * chain builds a schema object, and a capability's schemas module holds hundreds: built at load,
 * every cold start paid for all of them (the response shapes, which only the OpenAPI document and
 * the web client's types use, most of all). Wrapped, a function builds only the schemas of the
 * routes it serves, at their first request; importing a schema, putting it in a route table or in
 * another schema (`z.array(Meter)`) builds nothing.
 *
 * Every call site is marked `/* @__PURE__ *\/`: esbuild then drops a schema no route of the bundle's
 * group uses, and what only it references (another capability's response shapes, a message's
 * schema). Unmarked, a call at module level counts as a side effect and stays in every bundle that
 * imports its module (`test/unit/lazySchema.test.ts` checks the marks).
 *
 * The stand-in is a Proxy that forwards everything to the schema once built, so every import site,
 * type (`z.infer<typeof X>`) and method call stays as it was. Zod keys its metadata
 * (`z.meta({ id })`, the OpenAPI component names) by object identity, and the stand-in, not the
 * built schema, is what other schemas hold: so the built schema's metadata is registered for the
 * stand-in as well. Only zod/mini schemas: classic ones carry `_zod.processJSONSchema`, a closure
 * over the built object that would key the JSON Schema generator's bookkeeping by it instead.
 */
export function lazySchema<T extends object>(build: () => T): T {
  let built: T | undefined;
  const schema = (): T => {
    if (built === undefined) {
      built = build();
      const meta = globalRegistry.get(built as never);
      if (meta !== undefined) globalRegistry.add(stand as never, meta as never);
    }
    return built;
  };
  const stand: T = new Proxy(Object.create(null) as T, {
    get: (_target, key) => Reflect.get(schema(), key, stand),
    set: (_target, key, value) => Reflect.set(schema(), key, value),
    has: (_target, key) => Reflect.has(schema(), key),
    ownKeys: () => Reflect.ownKeys(schema()),
    getOwnPropertyDescriptor: (_target, key) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(schema(), key);
      // A proxy may not report a non-configurable property its (empty) target lacks.
      return descriptor && { ...descriptor, configurable: true };
    },
    defineProperty: (_target, key, descriptor) => Reflect.defineProperty(schema(), key, descriptor),
    deleteProperty: (_target, key) => Reflect.deleteProperty(schema(), key),
    getPrototypeOf: () => Reflect.getPrototypeOf(schema()),
  });
  return stand;
}
