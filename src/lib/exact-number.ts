/**
 * @module
 * Decimal numbers and amounts written the way a language writes them, with every digit the
 * value was sent with: nothing rounded, nothing dropped, nothing added. What a user approves
 * must be what the origin receives, so a value this cannot write exactly is left to be shown
 * as sent (`null`).
 */
import { boundedMemo } from "./bounded-memo";

/**
 * A plain decimal number as a request carries it: an optional minus, no leading zeros, an
 * optional fraction. Exponents, `+`, spaces, separators and `.5` are not read (an origin may
 * read `1,234` as one thousand or as one): such a value is shown as sent.
 */
const PLAIN_DECIMAL = /^-?(0|[1-9]\d{0,29})(\.(\d{1,20}))?$/;
/** ISO 4217 as written: three capital letters (`EUR`); `eur` or `€` are not guessed at. */
const CURRENCY_CODE = /^[A-Z]{3}$/;

/**
 * Formats by language, currency and fraction digits. The currency and the digits are the
 * request's (any three capital letters, up to 20 digits): without a bound, requests naming new
 * ones would add a formatter each for the isolate's life. Real traffic uses a few dozen.
 */
const MAX_FORMATTERS = 1_000;
const formatters = boundedMemo<string, Intl.NumberFormat>(MAX_FORMATTERS);

/**
 * `value` in `language`'s way of writing numbers (as an amount in `currency` when given), with
 * exactly the fraction digits it was sent with; `null` when it is not a plain decimal number or
 * the currency not a three-letter code. The value is formatted as a string, not a double, so
 * no digit of a long amount is lost to floating point.
 * @example
 * formatExactDecimal("1234.56", "de", "EUR") // "1.234,56 €"
 * formatExactDecimal("1234.5", "en", "USD")  // "$1,234.5"
 * formatExactDecimal("1e3", "en")            // null
 */
export function formatExactDecimal(value: string, language: string, currency?: string): string | null {
  const decimal = PLAIN_DECIMAL.exec(value);
  if (!decimal) return null;
  if (currency !== undefined && !CURRENCY_CODE.test(currency)) return null;
  const fractionDigits = decimal[3]?.length ?? 0;
  const key = `${language}|${currency ?? ""}|${fractionDigits}`;
  const format = formatters.get(key, () => {
    // Both bounds at the value's own count: a currency's usual 2 (or 0 for JPY) neither rounds nor pads it.
    const digits = { minimumFractionDigits: fractionDigits, maximumFractionDigits: fractionDigits };
    return new Intl.NumberFormat(language, currency === undefined ? digits : { style: "currency", currency, ...digits });
  });
  // A string is formatted as the exact decimal it spells (Intl.NumberFormat v3).
  return format.format(value as `${number}`);
}

/**
 * An account number or IBAN in blocks of four, as it is printed on statements; `null` for a
 * value that is not letters and digits alone (spaces, dashes and the marks of unseen characters
 * are shown as sent, not regrouped).
 * @example
 * inBlocksOfFour("DE89370400440532013000") // "DE89 3704 0044 0532 0130 00"
 */
export function inBlocksOfFour(value: string): string | null {
  if (!/^[A-Za-z0-9]+$/.test(value)) return null;
  return value.replace(/(.{4})(?=.)/g, "$1 ");
}

const JSON_NUMBER = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/**
 * The exact decimal value a JSON number token spells, as `digits e exponent` with no leading or
 * trailing zeros (`"10.50"`, `"1.05e1"` and `"10.5"` give one key; every zero gives `"0"`);
 * `null` for a token that is not a JSON number.
 * @example
 * decimalKey("10.50") === decimalKey("1.05e1") // true
 */
export function decimalKey(token: string): string | null {
  const parts = JSON_NUMBER.exec(token);
  if (!parts) return null;
  const [, sign, whole, fraction = "", exponent = "0"] = parts;
  let digits = `${whole}${fraction}`.replace(/^0+/, "");
  if (digits === "") return "0";
  let power = BigInt(exponent) - BigInt(fraction.length);
  const trailing = digits.length - digits.replace(/0+$/, "").length;
  digits = digits.slice(0, digits.length - trailing);
  power += BigInt(trailing);
  return `${sign}${digits}e${power}`;
}

/**
 * Whether a JSON number token means exactly the double a JavaScript (or any IEEE 754) reader
 * makes of it: `0.1`, `10.50` and `1e2` do; `0.1000000000000000000001` and `4503599627370497.5`
 * do not (a decimal reader keeps digits that a double rounds away).
 * @example
 * exactAsDouble("4503599627370497.5") // false
 */
export function exactAsDouble(token: string): boolean {
  const value = Number(token);
  return Number.isFinite(value) && decimalKey(token) === decimalKey(String(value));
}
