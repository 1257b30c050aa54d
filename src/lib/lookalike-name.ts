/**
 * @module
 * The one reading of a cookie or header name that every common server's normalisation keeps.
 * Servers disagree about names: PHP turns `.`, space and `[` into `_` and percent-decodes
 * cookie names, ASP.NET compares them ignoring case, CGI and PHP read `X_Token` and `X-Token`
 * as the same `HTTP_X_TOKEN`, some frameworks decode twice. What none of them changes is the
 * letters and digits of a name and their order, so that is what two names are compared by.
 */
import { boundedMemo } from "./bounded-memo";

/**
 * The letters and digits of `name`, lower-cased, after percent-decoding it until nothing is left
 * to decode (a name escaped twice still reads as itself to a server that decodes twice).
 * @example
 * lookalikeKey("Portal%255Fsession") === lookalikeKey("portal.session") // both "portalsession"
 */
export function lookalikeKey(name: string): string {
  // Names are the client's to choose: the memory is bounded in names and in their length; a
  // name longer than any real header's is worked out each time.
  return name.length > MAX_KNOWN_NAME_LENGTH ? keyOf(name) : known.get(name, () => keyOf(name));
}

const MAX_KNOWN_NAMES = 1024;
const MAX_KNOWN_NAME_LENGTH = 64;
/**
 * Keys of the names seen lately: most requests send the same few dozen header and cookie names,
 * each read on every request (a name's key is a regular expression's work and two new strings).
 */
const known = boundedMemo<string, string>(MAX_KNOWN_NAMES);

function keyOf(name: string): string {
  let decoded = name;
  while (decoded.includes("%")) {
    // Byte by byte (`%C3` alone is not valid UTF-8): only ASCII letters and digits are kept anyway.
    const next = decoded.replace(ESCAPE, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
    if (next === decoded) break;
    decoded = next;
  }
  return decoded.toLowerCase().replace(NOT_LETTER_OR_DIGIT, "");
}

const ESCAPE = /%([0-9a-fA-F]{2})/g;
const NOT_LETTER_OR_DIGIT = /[^a-z0-9]/g;
