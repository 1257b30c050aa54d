import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { contrastRatio, type HexColor } from "../../src/lib/contrast";
import { brandColors, colorSchemeMeta, PALETTES, ringBackgrounds, type Scheme, textBackgrounds, themeCss } from "../../src/pages/theme";

const aColor = fc.integer({ min: 0, max: 0xffffff }).map((n) => `#${n.toString(16).padStart(6, "0")}` as HexColor);
const SCHEMES: Scheme[] = ["light", "dark"];

describe("the pages' light and dark palettes", () => {
  it.each(SCHEMES)("keeps every text colour of the %s palette at 4.5:1 on its backgrounds", (scheme) => {
    const p = PALETTES[scheme];
    for (const text of [p.text, p.muted]) for (const background of textBackgrounds(p)) expect(contrastRatio(text, background)).toBeGreaterThanOrEqual(4.5);
    expect(contrastRatio(p.errorText, p.errorBg)).toBeGreaterThanOrEqual(4.5);
    // A text field's edge can be seen on the card (non-text contrast, 3:1).
    expect(contrastRatio(p.fieldBorder, p.surface)).toBeGreaterThanOrEqual(3);
  });

  it("makes any brand colour readable on both: button text 4.5:1, links 4.5:1, focus rings 3:1", () => {
    fc.assert(
      fc.property(aColor, fc.constantFrom(...SCHEMES), (color, scheme) => {
        const palette = PALETTES[scheme];
        const { brand, onBrand, accent, ring } = brandColors(color, scheme);
        return (
          brand === color &&
          contrastRatio(onBrand, brand) >= 4.5 &&
          textBackgrounds(palette).every((background) => contrastRatio(accent, background) >= 4.5) &&
          ringBackgrounds(palette).every((background) => contrastRatio(ring, background) >= 3)
        );
      }),
    );
  });

  it("keeps the tenant's colour for links where it reads, and lightens it on dark pages where it does not", () => {
    expect(brandColors("#0a58ca", "light")).toEqual({ brand: "#0a58ca", onBrand: "#ffffff", accent: "#0a58ca", ring: "#0a58ca" });
    const dark = brandColors("#0a58ca", "dark");
    expect(dark.brand).toBe("#0a58ca");
    expect(dark.accent).not.toBe("#0a58ca");
    expect(contrastRatio(dark.accent, PALETTES.dark.surface)).toBeGreaterThanOrEqual(4.5);
  });

  it("gives both schemes with auto, the dark one under prefers-color-scheme, and one scheme when the tenant fixes it", () => {
    const auto = themeCss({ color: "#aa3300", mode: "auto" });
    expect(auto).toMatch(
      /^:root\{color-scheme:light;--bg:#f6f8fa;.*--brand:#aa3300;--on-brand:#ffffff;.*\}@media \(prefers-color-scheme:dark\)\{:root\{color-scheme:dark;--bg:#0d1117;.*\}\}$/,
    );
    const dark = themeCss({ color: "#aa3300", mode: "dark" });
    expect(dark).toMatch(/^:root\{color-scheme:dark;--bg:#0d1117;[^}]*\}$/);
    expect(themeCss({ color: "#aa3300", mode: "light" })).toMatch(/^:root\{color-scheme:light;--bg:#f6f8fa;[^}]*\}$/);
    expect(dark).toContain("--field-border:#8b949e");
    expect([colorSchemeMeta("auto"), colorSchemeMeta("light"), colorSchemeMeta("dark")]).toEqual(["light dark", "light", "dark"]);
  });
});
