/**
 * @module
 * The hosted pages' colours, light and dark, as CSS custom properties: a fixed palette for each
 * scheme, and the tenant's brand colour with what makes it readable on that scheme (the text on
 * a brand-coloured button, a variant of the colour for links and one for focus rings). The
 * policy's `branding.mode` picks a scheme, or both with `auto` (the visitor's
 * `prefers-color-scheme`).
 */
import type { Policy } from "../config/policy-schema";
import { accentOn, type HexColor, textOn } from "../lib/contrast";

export type Scheme = "light" | "dark";

/** A scheme's fixed colours; every text colour reaches 4.5:1 on the backgrounds it is used on. */
export interface Palette {
  /** The page behind the cards. */
  bg: HexColor;
  /** Cards, the header, menus. */
  surface: HexColor;
  /** Inset blocks inside a card: what is approved, the secret to type in. */
  subtle: HexColor;
  /** Inside a text field. */
  field: HexColor;
  text: HexColor;
  muted: HexColor;
  border: HexColor;
  /** A text field's edge: 3:1 on the card, so the field can be seen (WCAG 1.4.11). */
  fieldBorder: HexColor;
  errorText: HexColor;
  errorBg: HexColor;
  errorBorder: HexColor;
}

export const PALETTES: Readonly<Record<Scheme, Palette>> = {
  light: {
    bg: "#f6f8fa",
    surface: "#ffffff",
    subtle: "#f6f8fa",
    field: "#ffffff",
    text: "#1f2328",
    muted: "#57606a",
    border: "#d0d7de",
    fieldBorder: "#6e7781",
    errorText: "#a40e26",
    errorBg: "#ffebe9",
    errorBorder: "#ff8182",
  },
  dark: {
    bg: "#0d1117",
    surface: "#161b22",
    subtle: "#0d1117",
    field: "#0d1117",
    text: "#e6edf3",
    muted: "#9198a1",
    border: "#30363d",
    fieldBorder: "#8b949e",
    errorText: "#ffa198",
    errorBg: "#2d1215",
    errorBorder: "#f85149",
  },
};

/** The tenant's colour on one scheme. */
export interface BrandColors {
  /** A filled button, the header's rule: the tenant's colour as it is. */
  brand: HexColor;
  /** Text on a filled button: 4.5:1 on `brand`. */
  onBrand: HexColor;
  /** Links and outlined buttons: 4.5:1 on every background text sits on. */
  accent: HexColor;
  /** Focus rings: 3:1 on the page and on cards (WCAG 1.4.11). */
  ring: HexColor;
}

/** The backgrounds a link or an outlined button may sit on. */
export const textBackgrounds = (palette: Palette): HexColor[] => [palette.bg, palette.surface, palette.subtle, palette.field];
/** The backgrounds a focus ring is drawn on (outside the focused control). */
export const ringBackgrounds = (palette: Palette): HexColor[] => [palette.bg, palette.surface];

/**
 * The brand colour made readable on `scheme`: kept as it is wherever it already reads, lighter
 * on dark backgrounds or darker on light ones where it does not.
 * @example
 * brandColors("#0a58ca", "dark") // { brand: "#0a58ca", onBrand: "#ffffff", accent: (a lighter blue), ring: … }
 */
export function brandColors(color: HexColor, scheme: Scheme): BrandColors {
  const palette = PALETTES[scheme];
  return {
    brand: color,
    onBrand: textOn(color),
    accent: accentOn(color, textBackgrounds(palette), 4.5),
    ring: accentOn(color, ringBackgrounds(palette), 3),
  };
}

/** `fieldBorder` → `--field-border`. */
const property = (name: string) => `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

function schemeRules(color: HexColor, scheme: Scheme): string {
  const values = { ...PALETTES[scheme], ...brandColors(color, scheme) };
  return `color-scheme:${scheme};${Object.entries(values)
    .map(([name, value]) => `${property(name)}:${value}`)
    .join(";")}`;
}

/**
 * The custom properties the pages' stylesheet uses, for the tenant's colour and mode. The colour
 * is `#rrggbb` (the policy schema checks it), so it cannot break out of the stylesheet.
 * @example
 * themeCss({ color: "#0a58ca", mode: "auto" }) // ":root{color-scheme:light;--bg:#f6f8fa;…}@media (prefers-color-scheme:dark){:root{…}}"
 */
export function themeCss({ color, mode }: Pick<Policy["branding"], "color" | "mode">): string {
  const brand = color as HexColor;
  if (mode !== "auto") return `:root{${schemeRules(brand, mode)}}`;
  return `:root{${schemeRules(brand, "light")}}@media (prefers-color-scheme:dark){:root{${schemeRules(brand, "dark")}}}`;
}

/**
 * The `<meta name="color-scheme">` for a mode: the browser's own parts (scroll bars, form
 * controls, the canvas before the stylesheet applies) follow the page's scheme.
 * @example
 * colorSchemeMeta("auto") // "light dark"
 */
export function colorSchemeMeta(mode: Policy["branding"]["mode"]): string {
  return mode === "auto" ? "light dark" : mode;
}
