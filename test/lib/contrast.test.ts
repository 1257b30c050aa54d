import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { accentOn, contrastRatio, type HexColor, relativeLuminance, textOn } from "../../src/lib/contrast";

/** Any `#rrggbb`. */
const aColor = fc.integer({ min: 0, max: 0xffffff }).map((n) => `#${n.toString(16).padStart(6, "0")}` as HexColor);

describe("contrast as WCAG measures it", () => {
  it("gives the luminance and ratios WCAG's own examples give", () => {
    expect(relativeLuminance("#000000")).toBe(0);
    expect(relativeLuminance("#ffffff")).toBe(1);
    expect(contrastRatio("#000000", "#ffffff")).toBe(21);
    expect(contrastRatio("#ffffff", "#000000")).toBe(21);
    expect(contrastRatio("#777777", "#777777")).toBe(1);
    // #767676 on white is the lightest grey that passes 4.5:1; #777777 just fails.
    expect(contrastRatio("#767676", "#ffffff")).toBeGreaterThanOrEqual(4.5);
    expect(contrastRatio("#777777", "#ffffff")).toBeLessThan(4.5);
    expect(relativeLuminance("#FF0000")).toBeCloseTo(0.2126, 4);
  });

  it("writes white on a dark fill and dark text on a light one", () => {
    expect(textOn("#0a58ca")).toBe("#ffffff");
    expect(textOn("#1f6feb")).toBe("#ffffff");
    expect(textOn("#f5c400")).toBe("#1f2328");
    expect(textOn("#ffffff")).toBe("#1f2328");
  });

  it("chooses text that reaches 4.5:1 on any fill", () => {
    fc.assert(fc.property(aColor, (fill) => contrastRatio(textOn(fill), fill) >= 4.5));
  });

  it("keeps a colour that already stands out, and otherwise finds one that does, lighter on dark backgrounds and darker on light ones", () => {
    const dark: HexColor[] = ["#0d1117", "#161b22"];
    const light: HexColor[] = ["#ffffff", "#f6f8fa"];
    expect(accentOn("#0a58ca", light, 4.5)).toBe("#0a58ca");
    const lighter = accentOn("#0a58ca", dark, 4.5);
    expect(relativeLuminance(lighter)).toBeGreaterThan(relativeLuminance("#0a58ca"));
    const darker = accentOn("#f5c400", light, 4.5);
    expect(relativeLuminance(darker)).toBeLessThan(relativeLuminance("#f5c400"));
    fc.assert(
      fc.property(aColor, fc.constantFrom(dark, light), fc.constantFrom(3, 4.5), (color, backgrounds, ratio) => {
        const accent = accentOn(color, backgrounds, ratio);
        const reaches = (c: HexColor) => backgrounds.every((background) => contrastRatio(c, background) >= ratio);
        return reaches(accent) && (!reaches(color) || accent === color);
      }),
    );
  });
});
