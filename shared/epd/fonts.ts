import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/**
 * The bill's typeface, PT Sans (ParaType, SIL Open Font License), embedded in the HTML as base64
 * @font-face rules: the PDF then looks the same on this machine and in Lambda, whose image has no
 * fonts at all, and Chromium never reaches for a file or the network.
 *
 * The files come from the npm package @fontsource/pt-sans. They are resolved at run time, not
 * bundled: locally from node_modules, in Lambda from the renderer layer (infra/constructs/
 * rendererLayer.ts puts the package under /opt/nodejs/node_modules, which is on NODE_PATH).
 * Only the Cyrillic and Latin subsets of the regular and bold faces are embedded; Chromium embeds
 * in the PDF just the glyphs the bill uses.
 */
export const FONT_PACKAGE = '@fontsource/pt-sans';
export const FONT_FAMILY = 'PT Sans';

const SUBSETS = [
  // The unicode ranges are fontsource's own (its 400.css), so each character finds its file.
  { name: 'cyrillic', range: 'U+0301,U+0400-045F,U+0490-0491,U+04B0-04B1,U+2116' },
  {
    name: 'latin',
    range:
      'U+0000-00FF,U+0131,U+0152-0153,U+02BB-02BC,U+02C6,U+02DA,U+02DC,U+0304,U+0308,U+0329,U+2000-206F,U+20AC,U+2122,U+2191,U+2193,U+2212,U+2215,U+FEFF,U+FFFD',
  },
] as const;
const WEIGHTS = [400, 700] as const;

const FACES = WEIGHTS.flatMap((weight) =>
  SUBSETS.map((subset) => ({
    weight,
    range: subset.range,
    file: `${FONT_PACKAGE}/files/pt-sans-${subset.name}-${weight}-normal.woff`,
  })),
);

/** The font files the bill embeds, as package paths (the renderer layer must hold them). */
export const FONT_FILES = FACES.map((face) => face.file);

let css: string | undefined;

/** The @font-face rules, read once per container. */
export function fontFaceCss(): string {
  if (css) return css;
  const require = createRequire(import.meta.url);
  css = FACES.map((face) => {
    const data = readFileSync(require.resolve(face.file)).toString('base64');
    return (
      `@font-face{font-family:'${FONT_FAMILY}';font-style:normal;font-weight:${face.weight};` +
      `src:url(data:font/woff;base64,${data}) format('woff');unicode-range:${face.range}}`
    );
  }).join('\n');
  return css;
}
