// Colour contrast as WCAG 2 measures it, and the correction the console's
// terminal colours get: a colour too faint on the terminal's background is
// darkened (on a light background) or lightened (on a dark one), keeping its
// hue, until it reaches the contrast asked for. Pure functions, no DOM.

/** An sRGB colour, channels 0-255, alpha 0-1. */
export interface Rgba {
  readonly r: number;
  readonly g: number;
  readonly b: number;
  readonly a: number;
}

/** WCAG 2's minimum contrast for normal text (level AA), and VS Code's terminal's default minimum. */
export const READABLE_CONTRAST = 4.5;

const HEX = /^#([0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/i;
const FUNCTIONAL = /^rgba?\(\s*([^)]*)\)$/i;

/** Parses the colour forms VS Code's theme variables and computed styles use: #rgb, #rgba, #rrggbb, #rrggbbaa, rgb() and rgba(). */
export function parseColour(text: string): Rgba | undefined {
  const s = text.trim();
  const hex = HEX.exec(s);
  if (hex) {
    let digits = hex[1]!;
    if (digits.length <= 4) digits = [...digits].map((d) => d + d).join('');
    const byte = (i: number) => Number.parseInt(digits.slice(2 * i, 2 * i + 2), 16);
    return { r: byte(0), g: byte(1), b: byte(2), a: digits.length === 8 ? byte(3) / 255 : 1 };
  }
  const fn = FUNCTIONAL.exec(s);
  if (!fn) return undefined;
  const parts = fn[1]!.split(/\s*[,/]\s*|\s+/).filter((p) => p !== '');
  if (parts.length !== 3 && parts.length !== 4) return undefined;
  const channel = (p: string) => (p.endsWith('%') ? (Number.parseFloat(p) * 255) / 100 : Number.parseFloat(p));
  const [r, g, b] = parts.slice(0, 3).map(channel) as [number, number, number];
  const a = parts[3] === undefined ? 1 : parts[3].endsWith('%') ? Number.parseFloat(parts[3]) / 100 : Number.parseFloat(parts[3]);
  if (![r, g, b, a].every(Number.isFinite)) return undefined;
  const clamp = (v: number, max: number) => Math.min(max, Math.max(0, v));
  return { r: clamp(r, 255), g: clamp(g, 255), b: clamp(b, 255), a: clamp(a, 1) };
}

/** `#rrggbb`, channels rounded. */
export function toHex({ r, g, b }: Rgba): string {
  return `#${[r, g, b].map((c) => Math.round(c).toString(16).padStart(2, '0')).join('')}`;
}

/** `colour` drawn over the opaque `ground`. */
function over(colour: Rgba, ground: Rgba): Rgba {
  const mix = (c: number, g: number) => c * colour.a + g * (1 - colour.a);
  return { r: mix(colour.r, ground.r), g: mix(colour.g, ground.g), b: mix(colour.b, ground.b), a: 1 };
}

/** WCAG 2 relative luminance: 0 for black, 1 for white. */
export function relativeLuminance({ r, g, b }: Rgba): number {
  const linear = (c: number) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
}

/** WCAG 2 contrast ratio of two opaque colours: 1 (none) to 21 (black on white), whichever is lighter. */
export function contrastRatio(a: Rgba, b: Rgba): number {
  const la = relativeLuminance(a);
  const lb = relativeLuminance(b);
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

/**
 * `foreground` as it is, if it has `minimum` contrast against `background`; otherwise the
 * same hue moved towards black (when black contrasts more with the background than white
 * does, i.e. on a light background) or towards white (on a dark one), just far enough to
 * reach `minimum`, as `#rrggbb`. A translucent foreground is judged as drawn over the
 * background. Colours it cannot read, and translucent backgrounds, are returned unchanged:
 * what lies under those is not known here.
 */
export function withMinimumContrast(foreground: string, background: string, minimum = READABLE_CONTRAST): string {
  const fg = parseColour(foreground);
  const bg = parseColour(background);
  if (fg === undefined || bg === undefined || bg.a < 1) return foreground;
  const drawn = over(fg, bg);
  if (contrastRatio(drawn, bg) >= minimum) return foreground;
  const black = { r: 0, g: 0, b: 0, a: 1 };
  const white = { r: 255, g: 255, b: 255, a: 1 };
  const darken = contrastRatio(black, bg) >= contrastRatio(white, bg);
  const groundLuminance = relativeLuminance(bg);
  // The luminance the result needs: below the background's for darkening, above it for lightening.
  const target = darken ? (groundLuminance + 0.05) / minimum - 0.05 : minimum * (groundLuminance + 0.05) - 0.05;
  const towards = darken ? black : white;
  // t = 0 is the colour itself, t = 1 black or white; each channel moves in proportion, so the
  // hue stays (scaling towards black keeps the channels' ratios, mixing with white their order
  // and proportions of the distance to white). Luminance is monotonic in t: bisect on it.
  const at = (t: number): Rgba => {
    const step = (c: number, end: number) => Math.round(c + (end - c) * t);
    return { r: step(drawn.r, towards.r), g: step(drawn.g, towards.g), b: step(drawn.b, towards.b), a: 1 };
  };
  const enough = (c: Rgba) => (darken ? relativeLuminance(c) <= target : relativeLuminance(c) >= target) && contrastRatio(c, bg) >= minimum;
  let low = 0;
  let high = 1;
  for (let i = 0; i < 24; i++) {
    const mid = (low + high) / 2;
    if (enough(at(mid))) high = mid;
    else low = mid;
  }
  return toHex(at(high));
}
