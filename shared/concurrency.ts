/**
 * Runs `work` over `items` with at most `concurrency` in flight. The first failure stops the
 * workers from taking new items and rejects: every caller here is idempotent, and its queue
 * message or CLI run is repeated, so finishing the rest after an unexpected error only wastes work.
 */
export async function forEachConcurrently<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const item = items[next++] as T;
      try {
        await work(item);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}
