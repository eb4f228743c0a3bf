/** Demo data for the local runtime; filled in with the registry import. */
export async function seedDemoData(): Promise<string | undefined> {
  return undefined;
}
