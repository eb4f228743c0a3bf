import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { putCaptcha, takeCaptcha } from '#shared/accounts/store';
import { config } from '#shared/config';
import { DomainError } from '#shared/errors';
import { now } from '#shared/time';

/**
 * Server-side captcha: digits drawn as jittered, rotated strokes with noise curves, as SVG.
 * Single-use (the record is deleted on the first check, right or wrong), expiring, answer stored
 * hashed. svg-captcha was the obvious package, but it reads its font through __dirname at module
 * load, which an ESM Lambda bundle does not have; strokes need no font at all.
 */
const CAPTCHA_TTL_SECONDS = 5 * 60;
const LENGTH = 5;
// No 0/1: they read like O/l; residents should fail on the robot test, not on the typeface.
const ALPHABET = '23456789';

/** Stroke glyphs on a 10×16 grid: [command, ...numbers] with M, L and Q commands. */
const GLYPHS: Record<string, Array<[string, ...number[]]>> = {
  '2': [
    ['M', 1, 4],
    ['Q', 1, 0, 5, 0],
    ['Q', 9, 0, 9, 4],
    ['Q', 9, 7, 1, 16],
    ['L', 9, 16],
  ],
  '3': [
    ['M', 1, 1],
    ['L', 9, 1],
    ['L', 4, 7],
    ['Q', 9, 7, 9, 11.5],
    ['Q', 9, 16, 5, 16],
    ['Q', 1, 16, 1, 13],
  ],
  '4': [
    ['M', 7, 16],
    ['L', 7, 0],
    ['L', 1, 11],
    ['L', 10, 11],
  ],
  '5': [
    ['M', 9, 0],
    ['L', 2, 0],
    ['L', 1, 7],
    ['Q', 3, 6, 5, 6],
    ['Q', 9, 6, 9, 11],
    ['Q', 9, 16, 5, 16],
    ['Q', 1, 16, 1, 13],
  ],
  '6': [
    ['M', 8, 1],
    ['Q', 5, 0, 3, 3],
    ['Q', 1, 6, 1, 10],
    ['Q', 1, 16, 5, 16],
    ['Q', 9, 16, 9, 11.5],
    ['Q', 9, 7, 5, 7],
    ['Q', 2, 7, 1, 10],
  ],
  '7': [
    ['M', 1, 0],
    ['L', 9, 0],
    ['L', 4, 16],
  ],
  '8': [
    ['M', 5, 8],
    ['Q', 1, 8, 1, 4],
    ['Q', 1, 0, 5, 0],
    ['Q', 9, 0, 9, 4],
    ['Q', 9, 8, 5, 8],
    ['Q', 1, 8, 1, 12],
    ['Q', 1, 16, 5, 16],
    ['Q', 9, 16, 9, 12],
    ['Q', 9, 8, 5, 8],
  ],
  '9': [
    ['M', 9, 6],
    ['Q', 8, 9, 5, 9],
    ['Q', 1, 9, 1, 4.5],
    ['Q', 1, 0, 5, 0],
    ['Q', 9, 0, 9, 5],
    ['Q', 9, 12, 6, 15],
    ['Q', 4, 16, 2, 15.5],
  ],
};

const WIDTH = 180;
const HEIGHT = 64;
const rnd = (min: number, max: number) => min + (randomInt(0, 1_000_000) / 1_000_000) * (max - min);
const fmt = (n: number) => n.toFixed(1);
const colour = () => `hsl(${randomInt(0, 360)},${randomInt(45, 75)}%,${randomInt(22, 38)}%)`;

function glyphPath(ch: string): string {
  const commands = GLYPHS[ch] ?? [];
  return commands.map(([cmd, ...nums]) => `${cmd}${nums.map((n) => fmt(n + rnd(-0.6, 0.6))).join(' ')}`).join(' ');
}

export function renderCaptchaSvg(answer: string): string {
  const parts: string[] = [];
  for (let i = 0; i < 4; i++) {
    const y = () => fmt(rnd(5, HEIGHT - 5));
    parts.push(
      `<path d="M${fmt(rnd(0, 20))} ${y()} C${fmt(rnd(30, 80))} ${y()} ${fmt(rnd(100, 150))} ${y()} ${fmt(rnd(160, WIDTH))} ${y()}" stroke="${colour()}" stroke-width="${fmt(rnd(1, 2))}" fill="none" opacity="0.7"/>`,
    );
  }
  const step = (WIDTH - 20) / answer.length;
  [...answer].forEach((ch, i) => {
    const x = 12 + i * step + rnd(-3, 3);
    const y = rnd(8, 14);
    const scale = rnd(2.3, 2.8);
    parts.push(
      `<path transform="translate(${fmt(x)} ${fmt(y)}) rotate(${fmt(rnd(-18, 18))} 5 8) skewX(${fmt(rnd(-12, 12))}) scale(${fmt(scale / 1.2)} ${fmt(scale / 1.6)})" d="${glyphPath(ch)}" stroke="${colour()}" stroke-width="${fmt(rnd(1.1, 1.5))}" stroke-linecap="round" stroke-linejoin="round" fill="none"/>`,
    );
  });
  for (let i = 0; i < 25; i++) {
    parts.push(
      `<circle cx="${fmt(rnd(0, WIDTH))}" cy="${fmt(rnd(0, HEIGHT))}" r="${fmt(rnd(0.6, 1.6))}" fill="${colour()}"/>`,
    );
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="Код с картинки"><rect width="100%" height="100%" fill="#f4f1ea"/>${parts.join('')}</svg>`;
}

const answerHash = (id: string, answer: string) => createHash('sha256').update(`${id}:${answer.trim()}`).digest();

export interface Captcha {
  id: string;
  svg: string;
  answer?: string;
}

export async function createCaptcha(): Promise<Captcha> {
  const id = randomBytes(18).toString('base64url');
  const answer = Array.from({ length: LENGTH }, () => ALPHABET[randomInt(0, ALPHABET.length)]).join('');
  await putCaptcha(
    id,
    answerHash(id, answer).toString('base64'),
    Math.floor(now().getTime() / 1000) + CAPTCHA_TTL_SECONDS,
  );
  // Test mode (local runtime only, enforced by the configuration) lets tests read the answer.
  return { id, svg: renderCaptchaSvg(answer), ...(config().testMode ? { answer } : {}) };
}

export const invalidCaptcha = () => DomainError.of('invalid_captcha', { fields: { captchaAnswer: 'Неверный код' } });

/** Checks and consumes a captcha: each one answers a single request, right or wrong. */
export async function verifyCaptcha(id: string | undefined, answer: string | undefined): Promise<void> {
  if (!id || !answer) throw invalidCaptcha();
  const item = await takeCaptcha(id);
  if (!item?.answerHash || (item.expiresAt ?? 0) <= Math.floor(now().getTime() / 1000)) throw invalidCaptcha();
  const expected = Buffer.from(item.answerHash, 'base64');
  if (!timingSafeEqual(expected, answerHash(id, answer))) throw invalidCaptcha();
}
