/**
 * Figures the bench measured, by section, for `npm run bench -- --json FILE` (the capacity model in
 * docs/capacity.md reads them). Each bench module records what it prints; ratios to their floors
 * are recorded beside the raw figures so a reader need not recompute them.
 */
export type Figure = number | string | boolean | null | Figure[] | { [key: string]: Figure };

const sections: Record<string, Record<string, Figure>> = {};

/** Records one figure under `section.key`; a second record of the same key replaces the first. */
export function record(section: string, key: string, value: Figure): void {
  sections[section] ??= {};
  sections[section][key] = value;
}

/** Everything recorded so far, as written by `--json`. */
export function allFigures(): Record<string, Record<string, Figure>> {
  return sections;
}
