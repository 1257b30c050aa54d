/** Amounts and numbers in a language's way of writing, with every digit that was sent. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decimalKey, exactAsDouble, formatExactDecimal, inBlocksOfFour } from "../../src/lib/exact-number";

/** The digits of a text, any script's digits read as 0–9 (Arabic-Indic, Thai…). */
const digitsOf = (text: string) =>
  Array.from(text.matchAll(/\p{Nd}/gu), ([digit]) => {
    const code = digit!.codePointAt(0)!;
    // Unicode lays out each script's decimal digits 0–9 in a run: the offset from its zero is the digit.
    for (let zero = code; zero > code - 10; zero--) if (!/\p{Nd}/u.test(String.fromCodePoint(zero - 1))) return String(code - zero);
    return String(code % 10);
  }).join("");

const CURRENCIES = ["EUR", "USD", "JPY", "GBP", "BHD", "KWD", "CHF", "INR", "BRL", "THB", "VND", "IDR", "CLF", "XAU"];

describe("formatExactDecimal", () => {
  it("writes amounts right in more currencies and precisions than it keeps formatters for, the first again after the others", () => {
    // 676 codes a request could name (QAA–QZZ: well-formed, all but QAR unassigned) at two precisions: past the 1,000 formatters kept.
    const letter = (n: number) => String.fromCharCode(65 + n);
    const codes = Array.from({ length: 26 * 26 }, (_, i) => `Q${letter(Math.floor(i / 26))}${letter(i % 26)}`);
    for (const value of ["12.5", "12.25"]) for (const code of codes) expect(formatExactDecimal(value, "en", code)).toBe(`${code}\u00a0${value}`);
    expect(formatExactDecimal("1234.56", "de", "EUR")).toBe("1.234,56\u00a0€");
  });

  it("writes an amount as the page's language does", () => {
    expect(formatExactDecimal("1234.56", "de", "EUR")).toBe("1.234,56\u00a0€");
    expect(formatExactDecimal("1234.56", "en", "USD")).toBe("$1,234.56");
    expect(formatExactDecimal("1234", "ja", "JPY")).toBe("￥1,234");
    expect(digitsOf(formatExactDecimal("1234.56", "ar", "EUR")!)).toBe("123456");
  });

  it("keeps the digits the value was sent with: none rounded away, none padded in", () => {
    // JPY has no minor unit, BHD three, USD two: the value's own digits win over each.
    expect(formatExactDecimal("1000.5", "en", "JPY")).toBe("¥1,000.5");
    expect(formatExactDecimal("10", "en", "USD")).toBe("$10");
    expect(formatExactDecimal("0.12345678", "de", "EUR")).toBe("0,12345678\u00a0€");
    // Beyond what a double holds.
    expect(formatExactDecimal("123456789012345678901234567890.12345678901234567890", "en")).toBe(
      "123,456,789,012,345,678,901,234,567,890.12345678901234567890",
    );
  });

  it("leaves what is not a plain decimal number, or not a currency code, to be shown as sent", () => {
    for (const value of ["1e3", "1,234.56", ".5", "5.", "+5", "007", " 5", "0x10", "Infinity", "NaN", "1\u00a0000", "١٢٣", "5 EUR", ""]) {
      expect(formatExactDecimal(value, "en", "EUR"), value).toBeNull();
    }
    for (const currency of ["eur", "EURO", "€", "E1R", "", "EUR "]) expect(formatExactDecimal("10", "en", currency), currency).toBeNull();
  });

  it("writes exactly the digits sent, whatever the amount, currency and language (fast-check)", () => {
    const decimal = fc
      .tuple(fc.boolean(), fc.bigInt({ min: 0n, max: 10n ** 15n }), fc.stringMatching(/^\d{0,8}$/))
      .map(([negative, whole, fraction]) => `${negative ? "-" : ""}${whole}${fraction ? `.${fraction}` : ""}`);
    fc.assert(
      fc.property(decimal, fc.constantFrom(...CURRENCIES), fc.constantFrom("en", "de", "ja", "ar", "fr", "th", "pt-BR"), (value, currency, language) => {
        const written = formatExactDecimal(value, language, currency);
        expect(written).not.toBeNull();
        expect(digitsOf(written!)).toBe(value.replace(/\D/g, ""));
        expect(digitsOf(formatExactDecimal(value, language)!)).toBe(value.replace(/\D/g, ""));
      }),
      { numRuns: 500 },
    );
  });
});

describe("inBlocksOfFour", () => {
  it("groups an IBAN or account number as a statement prints it", () => {
    expect(inBlocksOfFour("DE89370400440532013000")).toBe("DE89 3704 0044 0532 0130 00");
    expect(inBlocksOfFour("12345678")).toBe("1234 5678");
    expect(inBlocksOfFour("ACC")).toBe("ACC");
  });

  it("leaves spaced, dashed or marked values as sent", () => {
    for (const value of ["DE89 3704", "ACC-2002", "DE89\\u200B3704", ""]) expect(inBlocksOfFour(value), value).toBeNull();
  });
});

/** A decimal token as the fraction n / d of BigInts. */
function rational(token: string): [bigint, bigint] {
  const [, sign, whole, fraction = "", exponent = "0"] = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(token)!;
  const power = Number(exponent) - fraction.length;
  const n = BigInt(`${sign}${whole}${fraction}`);
  return power >= 0 ? [n * 10n ** BigInt(power), 1n] : [n, 10n ** BigInt(-power)];
}

/** The exact value of a finite double as the fraction n / d of BigInts, read from its bits. */
function doubleAsRational(value: number): [bigint, bigint] {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  const bits = view.getBigUint64(0);
  const negative = bits >> 63n === 1n;
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  const mantissa = biased === 0 ? fraction : fraction | (1n << 52n);
  const power = (biased === 0 ? 1 : biased) - 1075;
  const n = negative ? -mantissa : mantissa;
  return power >= 0 ? [n << BigInt(power), 1n] : [n, 1n << BigInt(-power)];
}

/**
 * The decimal a double-based reader shows for `value`, worked out independently of
 * `Number.prototype.toString`: the fewest significant digits that read back as the same double,
 * and of the (at most two) such decimals the one nearest the double's exact value, an even last
 * digit on a tie (ECMA-262 Number::toString, step 5). Returned as a BigInt fraction.
 */
function shortestDecimal(value: number): [bigint, bigint] {
  if (value === 0) return [0n, 1n];
  const [n, d] = doubleAsRational(Math.abs(value));
  const sign = value < 0 ? -1n : 1n;
  // q: the power of ten of the leading digit, so 10^q <= n/d < 10^(q+1).
  let q = Math.floor(Math.log10(Math.abs(value)));
  const atLeast = (k: number) => (k >= 0 ? n >= d * 10n ** BigInt(k) : n * 10n ** BigInt(-k) >= d);
  while (!atLeast(q)) q--;
  while (atLeast(q + 1)) q++;
  for (let precision = 1; precision <= 17; precision++) {
    const k = q + 1 - precision; // candidates are m * 10^k with `precision` digits
    const [sn, sd] = k >= 0 ? [n, d * 10n ** BigInt(k)] : [n * 10n ** BigInt(-k), d];
    const below = sn / sd;
    const candidates = [below, below + 1n].filter((m) => Number(`${sign < 0n ? "-" : ""}${m}e${k}`) === value);
    if (candidates.length === 0) continue;
    // Distance of m * 10^k from the exact value, in units of 1 / sd: |m * sd - sn|.
    const distance = (m: bigint) => (m * sd - sn < 0n ? sn - m * sd : m * sd - sn);
    candidates.sort((x, y) => (distance(x) === distance(y) ? Number(x % 2n) - Number(y % 2n) : distance(x) < distance(y) ? -1 : 1));
    const m = sign * candidates[0]!;
    return k >= 0 ? [m * 10n ** BigInt(k), 1n] : [m, 10n ** BigInt(-k)];
  }
  throw new Error(`no decimal of 17 digits reads back as ${value}`);
}

/**
 * An independent reference: whether `token` is, as a decimal value, the decimal a double-based
 * reader shows for the double it reads as (see `shortestDecimal`), compared as BigInt
 * fractions; `-0` and `0` are one value.
 */
function referenceExact(token: string): boolean {
  const value = Number(token);
  if (!Number.isFinite(value)) return false;
  const [a, b] = rational(token);
  const [c, d] = shortestDecimal(value);
  return a * d === c * b;
}

describe("exactAsDouble", () => {
  const tokens = fc
    .tuple(
      fc.constantFrom("", "-"),
      fc.oneof(fc.constant("0"), fc.stringMatching(/^[1-9]\d{0,24}$/)),
      fc.option(fc.stringMatching(/^\d{1,24}$/), { nil: undefined }),
      fc.option(fc.integer({ min: -30, max: 30 }), { nil: undefined }),
    )
    .map(
      ([sign, whole, fraction, exponent]) => `${sign}${whole}${fraction === undefined ? "" : `.${fraction}`}${exponent === undefined ? "" : `e${exponent}`}`,
    );

  it("says a token is exact exactly when its decimal value is the double's (fast-check against a BigInt reference)", () => {
    let exact = 0;
    let inexact = 0;
    fc.assert(
      fc.property(tokens, (token) => {
        const expected = referenceExact(token);
        if (expected) exact++;
        else inexact++;
        expect(exactAsDouble(token), token).toBe(expected);
      }),
      { numRuns: 5000 },
    );
    expect(exact).toBeGreaterThan(500);
    expect(inexact).toBeGreaterThan(200);
  });

  it("keys equal decimals alike however they are written", () => {
    expect(decimalKey("10.50")).toBe(decimalKey("1.05e1"));
    expect(decimalKey("0")).toBe(decimalKey("-0.000e5"));
    expect(decimalKey("100")).toBe("1e2");
    expect(exactAsDouble("0.1000000000000000000001")).toBe(false);
    expect(exactAsDouble("4503599627370497.5")).toBe(false);
    // The double is 600000000000000.25: .2 and .3 both read back as it, a reader shows .2 (even digit on a tie).
    expect(exactAsDouble("6000000.000000002e8")).toBe(true);
    expect(exactAsDouble("600000000000000.3")).toBe(false);
    expect(exactAsDouble("9007199254740993")).toBe(false);
  });
});
