/**
 * @module
 * Colour contrast as WCAG 2 measures it (relative luminance, contrast ratio), and the two
 * choices a page makes from it: the text colour readable on a coloured background, and the
 * nearest variant of a colour that stands out enough on given backgrounds.
 */

/** A colour as `#rrggbb`. */
export type HexColor = `#${string}`;

const WHITE: HexColor = "#ffffff";
const BLACK: HexColor = "#000000";
/** Dark text that is softer than black; used on a background where it is readable enough. */
const NEAR_BLACK: HexColor = "#1f2328";
/** How far each step of {@link accentOn} moves a colour towards white or black. */
const MIX_STEP = 0.02;

function channels(color: HexColor): [number, number, number] {
  const value = Number.parseInt(color.slice(1), 16);
  return [(value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff];
}

function hex(rgb: readonly number[]): HexColor {
  return `#${rgb.map((c) => Math.round(c).toString(16).padStart(2, "0")).join("")}`;
}

/**
 * The relative luminance of an sRGB colour (WCAG 2.x), 0 for black to 1 for white.
 * @example
 * relativeLuminance("#ffffff") // 1
 */
export function relativeLuminance(color: HexColor): number {
  const [r, g, b] = channels(color).map((c) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/**
 * The contrast ratio of two colours (WCAG 2.x), from 1 (the same) to 21 (black on white).
 * @example
 * contrastRatio("#000000", "#ffffff") // 21
 */
export function contrastRatio(a: HexColor, b: HexColor): number {
  const [light, dark] = [relativeLuminance(a), relativeLuminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

/**
 * The text colour for a button filled with `background`: white where white reaches 4.5:1 (the
 * usual look of a filled button), else near-black, else black. One of them always does: a
 * colour too light for white text (luminance above 0.183) gives black more than 4.58:1.
 * @example
 * textOn("#0a58ca") // "#ffffff"
 * textOn("#f5c400") // "#1f2328"
 */
export function textOn(background: HexColor): HexColor {
  return [WHITE, NEAR_BLACK].find((text) => contrastRatio(text, background) >= 4.5) ?? BLACK;
}

/**
 * `color` itself when it reaches `minRatio` against every one of `backgrounds`, else the first
 * mix of it towards white (on dark backgrounds) or black (on light ones) that does: a brand
 * colour keeps its hue while links reach 4.5:1 and focus rings 3:1.
 * @example
 * accentOn("#0a58ca", ["#0d1117", "#161b22"], 4.5) // a lighter blue
 */
export function accentOn(color: HexColor, backgrounds: readonly HexColor[], minRatio: number): HexColor {
  const worst = (candidate: HexColor) => Math.min(...backgrounds.map((background) => contrastRatio(candidate, background)));
  if (worst(color) >= minRatio) return color;
  const target = channels(worst(WHITE) >= worst(BLACK) ? WHITE : BLACK);
  const from = channels(color);
  for (let amount = MIX_STEP; amount < 1; amount += MIX_STEP) {
    const mixed = hex(from.map((c, i) => c + (target[i]! - c) * amount));
    if (worst(mixed) >= minRatio) return mixed;
  }
  return hex(target);
}
