/**
 * Differential tests of the approval rule: whenever stepgate approves a request and shows its
 * fields, every reference reader an origin might be (first-wins, last-wins, PHP, a JSON reader
 * that ignores the declared type, case-insensitive binders, query merged into the body, Rails
 * style either way round) reads the values shown. Otherwise stepgate refuses the request.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ambiguityOf } from "../../src/gate/request-ambiguity";
import { displayedFields } from "../../src/gate/displayed-fields";
import { readBody } from "../../src/gate/request-digest";

const DISPLAY = ["amount", "to", "/memo"];
const FORM = "application/x-www-form-urlencoded";
const JSON_TYPE = "application/json";

/** What a reader takes a field to be: a value, absent, or something not a plain value (an array, an object). */
type Reading = string | undefined | { composite: true };
/** A reader: the value of each displayed top-level name, or `null` when it would not read this request at all. */
type Reader = (request: { type: string; body: string; query: string }, name: string) => Reading | null;

const isForm = (type: string) => type.split(";")[0]!.trim().toLowerCase() === FORM;
const isJson = (type: string) => type.split(";")[0]!.trim().toLowerCase() === JSON_TYPE;
const lenientDecode = (s: string) => {
  try {
    return decodeURIComponent(s.replace(/\+/g, " "));
  } catch {
    return s;
  }
};
const pairsOf = (text: string): Array<[string, string]> =>
  text
    .split("&")
    .filter((p) => p !== "")
    .map((p) => {
      const i = p.indexOf("=");
      return [lenientDecode(i === -1 ? p : p.slice(0, i)), lenientDecode(i === -1 ? "" : p.slice(i + 1))];
    });

/** A small JSON reader of its own that keeps duplicate keys in order (JSON.parse keeps only the last). */
function jsonEntries(text: string): unknown {
  let i = 0;
  const ws = () => {
    while (/\s/.test(text[i] ?? "")) i++;
  };
  const value = (): unknown => {
    ws();
    if (text[i] === "{") {
      i++;
      const entries: Array<[string, unknown]> = [];
      ws();
      if (text[i] === "}") {
        i++;
        return { entries };
      }
      for (;;) {
        ws();
        const key = value() as string;
        ws();
        if (text[i++] !== ":") throw new Error("colon");
        entries.push([key, value()]);
        ws();
        if (text[i] === ",") i++;
        else if (text[i++] === "}") return { entries };
        else throw new Error("object");
      }
    }
    if (text[i] === "[") {
      i++;
      const items: unknown[] = [];
      ws();
      if (text[i] === "]") {
        i++;
        return items;
      }
      for (;;) {
        items.push(value());
        ws();
        if (text[i] === ",") i++;
        else if (text[i++] === "]") return items;
        else throw new Error("array");
      }
    }
    const rest = text.slice(i);
    const token = /^("(?:[^"\\]|\\.)*"|-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null)/.exec(rest);
    if (!token) throw new Error("token");
    i += token[0].length;
    return JSON.parse(token[0]);
  };
  const result = value();
  ws();
  if (i !== text.length) throw new Error("trailing");
  return result;
}

/** The reader's value as plain JSON (a repeated nested key: the last). */
const plain = (value: unknown): unknown =>
  Array.isArray(value)
    ? value.map(plain)
    : typeof value === "object" && value !== null
      ? Object.fromEntries((value as { entries: Array<[string, unknown]> }).entries.map(([k, v]) => [k, plain(v)]))
      : value;

/** JSON read whatever the declared type (many frameworks sniff); `pick` chooses among matching keys. */
const jsonReader =
  (match: (key: string, name: string) => boolean, pick: "first" | "last"): Reader =>
  ({ body }, name) => {
    let parsed: unknown;
    try {
      parsed = jsonEntries(body.replace(/^\ufeff/, ""));
    } catch {
      return null;
    }
    if (typeof parsed !== "object" || parsed === null || !("entries" in parsed)) return null;
    const hits = (parsed as { entries: Array<[string, unknown]> }).entries.filter(([key]) => match(key, name));
    const hit = pick === "first" ? hits[0] : hits.at(-1);
    if (!hit) return undefined;
    // An object or array is shown as its JSON; so it reads.
    return typeof hit[1] === "string" ? hit[1] : JSON.stringify(plain(hit[1]));
  };

const formReader =
  (match: (key: string, name: string) => boolean, pick: "first" | "last"): Reader =>
  ({ type, body }, name) => {
    if (!isForm(type)) return null;
    const hits = pairsOf(body).filter(([key]) => match(key, name));
    return (pick === "first" ? hits[0] : hits.at(-1))?.[1];
  };

/** PHP's parse_str: names decoded, leading spaces dropped, `.`/space/unclosed `[` → `_`, `a[x]` an array, last wins. */
function phpVariables(text: string): Map<string, Reading> {
  const vars = new Map<string, Reading>();
  for (const [raw, value] of pairsOf(text)) {
    const name = raw.replace(/^ +/, "");
    const open = name.indexOf("[");
    const closed = open !== -1 && name.indexOf("]", open) !== -1;
    const base = (closed ? name.slice(0, open) : name).replace(/[. []/g, "_");
    vars.set(base, closed ? { composite: true } : value);
  }
  return vars;
}
const phpPost: Reader = ({ type, body }, name) => (isForm(type) ? phpVariables(body).get(name) : null);
/** `$_REQUEST`: the query, then the body over it. */
const phpRequest: Reader = ({ type, body, query }, name) => {
  const fromQuery = phpVariables(query);
  // PHP does not read a JSON body into $_REQUEST: only the query's fields, when it has the name.
  if (!isForm(type)) return fromQuery.has(name) ? fromQuery.get(name) : null;
  const fromBody = phpVariables(body);
  return fromBody.has(name) ? fromBody.get(name) : fromQuery.get(name);
};
/** Rails-style params: the body's fields (by its type) and the query merged, one way or the other. */
const merged =
  (queryWins: boolean): Reader =>
  (request, name) => {
    const fromBody = isJson(request.type) ? jsonReader((k, n) => k === n, "last")(request, name) : formReader((k, n) => k === n, "last")(request, name);
    const fromQuery = pairsOf(request.query)
      .filter(([k]) => k === name || k.startsWith(`${name}[`))
      .at(-1);
    const queryValue: Reading = fromQuery ? (fromQuery[0] === name ? fromQuery[1] : { composite: true }) : undefined;
    if (queryWins) return queryValue ?? fromBody ?? undefined;
    return fromBody ?? queryValue;
  };

const exact = (key: string, name: string) => key === name;
const caseless = (key: string, name: string) => key.normalize("NFKC").toLowerCase() === name.toLowerCase();

const READERS: Record<string, Reader> = {
  "form, first wins": formReader(exact, "first"),
  "form, last wins": formReader(exact, "last"),
  "form, case-insensitive (ASP.NET)": formReader(caseless, "first"),
  "PHP $_POST": phpPost,
  "PHP $_REQUEST": phpRequest,
  "JSON whatever the type, last wins": jsonReader(exact, "last"),
  "JSON whatever the type, first wins": jsonReader(exact, "first"),
  "JSON, case-insensitive last wins (Go)": jsonReader(caseless, "last"),
  "query merged into the body (body wins)": merged(false),
  "query merged into the body (query wins)": merged(true),
};

/** What stepgate shows for a top-level name, as a reader's value. */
function shownValue(shown: Array<{ field: string; value: string }>, name: string): string | undefined {
  const entry = shown.find((f) => f.field === name.replace(/^\//, ""));
  return entry === undefined || entry.value === "(absent)" ? undefined : entry.value;
}

// Names around the displayed ones: other spellings, encodings, cases, PHP look-alikes, arrays.
const names = fc.constantFrom(
  "amount",
  "Amount",
  "AMOUNT",
  "amoun%74",
  "amount.",
  "amount_",
  " amount",
  "amount[]",
  "amount[x]",
  "to",
  "TO",
  "t%6F",
  "to.",
  "to[",
  "memo",
  "x",
  "%61mount",
  "amount%00",
);
const values = fc.constantFrom("10", "10000", "ALICE", "MALLORY", "A+B", "%zz", "a%26amount%3D1", "");
const formText = fc.array(fc.tuple(names, values), { maxLength: 5 }).map((pairs) => pairs.map(([n, v]) => `${n}=${v}`).join("&"));
const jsonKeys = fc.constantFrom("amount", "Amount", "AMOUNT", "\\u0061mount", "amo\u017Funt", "to", "To", "memo", "x");
const jsonValues = fc.constantFrom("10", "10000", '"ALICE"', '"MALLORY"', '"&amount=10&to=ALICE&y="', "[1]", '{"a":1}', "null", "true");
const jsonText = fc
  .tuple(fc.array(fc.tuple(jsonKeys, jsonValues), { maxLength: 5 }), fc.constantFrom("", " ", "\ufeff"))
  .map(([pairs, prefix]) => `${prefix}{${pairs.map(([k, v]) => `"${k}":${v}`).join(",")}}`);
const types = fc.constantFrom(FORM, `${FORM}; charset=utf-8`, `${FORM}; charset=iso-8859-1`, JSON_TYPE, `${JSON_TYPE}; charset=UTF-8`, `${JSON_TYPE}, ${FORM}`);
const requests = fc.record({
  type: types,
  body: fc.oneof(formText, jsonText),
  query: fc.oneof(fc.constant(""), formText),
});

describe("what is approved is what every origin reads", () => {
  it("either refuses the request or every reference reader sees the displayed values (fast-check)", async () => {
    let approved = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(requests, async (generated) => {
        const url = `https://p.test/api/withdraw${generated.query ? `?${generated.query}` : ""}`;
        const request = new Request(url, { method: "POST", headers: { "Content-Type": generated.type }, body: generated.body });
        const body = await readBody(request.clone());
        if (ambiguityOf(request, body, DISPLAY) !== null) return void refused++;
        approved++;
        const shown = displayedFields(body, DISPLAY);
        for (const name of ["amount", "to", "memo"]) {
          // A JSON pointer (`/memo`) names nothing in a form: not shown, so nothing to contradict.
          if (!shown.some((f) => f.field === name)) continue;
          for (const [reader, read] of Object.entries(READERS)) {
            const reading = read(generated, name);
            if (reading === null) continue;
            expect(reading, `${reader} reads ${name} of ${JSON.stringify(generated)}`).toEqual(shownValue(shown, name));
          }
        }
      }),
      { numRuns: 2000 },
    );
    // Both outcomes occur: the generator is not refusing (or approving) everything.
    expect(approved).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(100);
  });

  it("refuses the review's reproduction: a JSON body declared as a form, showing other values", async () => {
    const text = '{"amount":10000,"currency":"USD","to":"MALLORY","x":"&amount=10&currency=USD&to=ALICE&y="}';
    const request = new Request("https://p.test/api/withdraw", { method: "POST", headers: { "Content-Type": FORM }, body: text });
    expect(ambiguityOf(request, await readBody(request.clone()), ["amount", "currency", "to"])).toMatch(/JSON text/);
  });

  it("approves plain, well-formed requests of every kind", async () => {
    const approve = async (type: string, body: string | FormData, query = "", display = ["amount", "to", "/to/name"]) => {
      const request = new Request(`https://p.test/api/withdraw${query}`, { method: "POST", headers: type ? { "Content-Type": type } : {}, body });
      return ambiguityOf(request, await readBody(request.clone()), display);
    };
    expect(await approve(FORM, "amount=10&to=ACC+1&csrf=x&tags=a&tags=b")).toBeNull();
    expect(await approve(`${FORM}; charset=UTF-8`, "amount=10&to%5Bname%5D=A&to%5Biban%5D=B", "", ["amount", "to[name]"])).toBe(null);
    expect(await approve(JSON_TYPE, '{"amount":10,"to":{"name":"A","iban":"DE1"},"list":[{"amount":1}]}', "?account=2")).toBeNull();
    const data = new FormData();
    data.append("amount", "10");
    data.append("proof", new File(["receipt"], "r.txt", { type: "text/plain" }));
    expect(await approve("", data)).toBeNull();
  });

  it("reads a one-part pointer as the form field of that name, and refuses a required one a form lacks (outside review)", async () => {
    const form = async (body: string, display: Parameters<typeof displayedFields>[1]) => {
      const request = new Request("https://p.test/api/withdraw", { method: "POST", headers: { "Content-Type": FORM }, body });
      const read = await readBody(request.clone());
      return (
        ambiguityOf(
          request,
          read,
          display.map((e) => (typeof e === "string" ? e : e.field)),
        ) ?? displayedFields(read, display)
      );
    };
    const required = [
      { field: "/amount", format: "text" as const, required: true },
      { field: "/destination", format: "text" as const, required: true },
    ];
    expect(await form("amount=20000&destination=ATTACKER", required)).toEqual([
      { field: "amount", value: "20000" },
      { field: "destination", value: "ATTACKER" },
    ]);
    await expect(form("amount=20000&currency=USD", required)).rejects.toMatchObject({ status: 400, code: "display_field_missing" });
    // A deeper pointer names nothing a form sends plainly: required, the form is refused.
    await expect(form("to=x", [{ field: "/to/iban", format: "text" as const, required: true }])).rejects.toMatchObject({ code: "display_field_missing" });
  });

  it("refuses a form whose field names an origin could nest into a displayed pointer (fast-check over nesting readers)", async () => {
    // Rails, PHP and qs nest `to[iban]`; Spring and ASP.NET bind `to.iban`; others read names as sent.
    const nestings: Record<string, (name: string) => string[]> = {
      brackets: (name) => name.replace(/\]/g, "").split("["),
      dots: (name) => name.split("."),
      "brackets, case-insensitive": (name) => name.toLowerCase().replace(/\]/g, "").split("["),
      "dots, case-insensitive": (name) => name.toLowerCase().split("."),
    };
    const nestedNames = fc.constantFrom("to[iban]", "to.iban", "To[iban]", "TO.IBAN", "to[iban][]", "to[iban", "to", "to_iban", "toiban", "iban", "x");
    const bodies = fc.array(fc.tuple(nestedNames, fc.constantFrom("GB33", "DE89", "")), { minLength: 1, maxLength: 4 });
    let approved = 0;
    await fc.assert(
      fc.asyncProperty(bodies, async (pairs) => {
        const body = pairs.map(([n, v]) => `${encodeURIComponent(n)}=${v}`).join("&");
        const request = new Request("https://p.test/api/withdraw", { method: "POST", headers: { "Content-Type": FORM }, body });
        const read = await readBody(request.clone());
        if (ambiguityOf(request, read, ["/to/iban"]) !== null) return;
        approved++;
        // Not refused: stepgate shows no IBAN, so no reader may find one at to → iban.
        expect(displayedFields(read, ["/to/iban"])).toEqual([]);
        for (const [reader, path] of Object.entries(nestings)) {
          const found = pairs.some(([name]) => path(name).slice(0, 2).join("/") === "to/iban");
          expect(found, `${reader} nests ${body}`).toBe(false);
        }
      }),
      { numRuns: 500 },
    );
    expect(approved).toBeGreaterThan(20);
  });

  it("refuses a JSON body whose key and path shown alike carry different values (outside review)", async () => {
    const display = ["destination.iban", "/destination/iban"];
    const json = async (body: string) => {
      const request = new Request("https://p.test/api/withdraw", { method: "POST", headers: { "Content-Type": JSON_TYPE }, body });
      return displayedFields(await readBody(request.clone()), display);
    };
    await expect(json('{"destination.iban":"DE89","destination":{"iban":"GB33"}}')).rejects.toMatchObject({ status: 400, code: "ambiguous_request" });
    expect(await json('{"destination.iban":"DE89","destination":{"iban":"DE89"}}')).toEqual([{ field: "destination.iban", value: "DE89" }]);
    expect(await json('{"destination":{"iban":"GB33"}}')).toEqual([{ field: "destination.iban", value: "GB33" }]);
  });

  it("refuses what a multipart parser could read two ways: transfer encodings, encoded names, two spellings", async () => {
    const multipart = (parts: string[]) => {
      const body = `${parts.map((p) => `--b\r\n${p}\r\n`).join("")}--b--\r\n`;
      return new Request("https://p.test/api/withdraw", { method: "POST", headers: { "Content-Type": "multipart/form-data; boundary=b" }, body });
    };
    const cases: Array<[string[], RegExp]> = [
      [['Content-Disposition: form-data; name="amount"\r\nContent-Transfer-Encoding: base64\r\n\r\nMTAwMDA='], /Transfer-Encoding/],
      [["Content-Disposition: form-data; name*=UTF-8''amount\r\n\r\n10000", 'Content-Disposition: form-data; name="x"\r\n\r\n1'], /name\*=/],
      [['Content-Disposition: form-data; name="amount"\r\n\r\n10', 'Content-Disposition: form-data; name="Amount"\r\n\r\n10000'], /also sent as/],
      [['Content-Disposition: form-data; name="amount"\r\n\r\n10', 'Content-Disposition: form-data; name="amount"\r\n\r\n10000'], /sent 2 times/],
    ];
    for (const [parts, reason] of cases) {
      const request = multipart(parts);
      expect(ambiguityOf(request, await readBody(request.clone()), ["amount"]), parts.join(" | ")).toMatch(reason);
    }
  });
});

/** How a multipart parser may read the edges RFC 7578 leaves open. */
interface MultipartQuirks {
  /** Which of two `Content-Disposition` headers names the part. */
  disposition: "first" | "last";
  /** `name="amo\unt"` read as `amount` (undici keeps the backslash). */
  unescape: boolean;
  /** Bare LF line breaks taken as CRLF. */
  lf: boolean;
  /** Header lines starting with a space or tab continue the previous one. */
  fold: boolean;
  /** Parts after the closing delimiter still read. */
  afterClose: boolean;
  /** Of two parts with one name: the first or the last. */
  pick: "first" | "last";
}

/** A reference multipart reader with the given quirks: the displayed fields' values, or `null` when it refuses the body. */
function readMultipart(text: string, boundary: string, q: MultipartQuirks): Map<string, string> | null {
  const t = q.lf ? text.replace(/\r?\n/g, "\r\n") : text;
  const delimiter = `--${boundary}`;
  const start = t.indexOf(delimiter);
  if (start === -1) return null;
  const fields = new Map<string, string>();
  for (const section of t.slice(start + delimiter.length).split(`\r\n${delimiter}`)) {
    if (section.startsWith("--")) {
      if (q.afterClose) continue;
      break;
    }
    if (!section.startsWith("\r\n")) return null;
    const part = section.slice(2);
    const headEnd = part.indexOf("\r\n\r\n");
    if (headEnd === -1) return null;
    const lines: string[] = [];
    for (const line of part.slice(0, headEnd).split("\r\n")) {
      if (q.fold && /^[ \t]/.test(line) && lines.length > 0) lines[lines.length - 1] += line.trim();
      else lines.push(line);
    }
    const dispositions = lines.filter((l) => /^content-disposition\s*:/i.test(l));
    const disposition = q.disposition === "first" ? dispositions[0] : dispositions.at(-1);
    const quoted = disposition ? /;\s*name="((?:[^"\\]|\\.)*)"/i.exec(disposition) : null;
    const bare = disposition ? /;\s*name=([^";\s]+)/i.exec(disposition) : null;
    const raw = quoted?.[1] ?? bare?.[1];
    if (raw === undefined) continue;
    const name = q.unescape ? raw.replace(/\\(.)/g, "$1") : raw;
    if (q.pick === "first" && fields.has(name)) continue;
    fields.set(name, part.slice(headEnd + 4));
  }
  return fields;
}

const MULTIPART_READERS: Record<string, MultipartQuirks> = {
  "workerd-like": { disposition: "first", unescape: true, lf: true, fold: true, afterClose: false, pick: "first" },
  "undici-like": { disposition: "last", unescape: false, lf: false, fold: false, afterClose: false, pick: "last" },
  "busboy-like": { disposition: "last", unescape: true, lf: false, fold: true, afterClose: false, pick: "last" },
  lenient: { disposition: "first", unescape: false, lf: true, fold: false, afterClose: true, pick: "last" },
};

const partNames = fc.constantFrom("amount", "to", "shown", "x", "amo\\unt", "Amount");
const partValues = fc.constantFrom("10", "10000", "ALICE", "MALLORY");
const headerBlocks = fc.oneof(
  { arbitrary: fc.constantFrom("amount", "to", "x").map((n) => `Content-Disposition: form-data; name="${n}"`), weight: 12 },
  fc.tuple(partNames, partNames).map(([a, b]) => `Content-Disposition: form-data; name="${a}"\r\nContent-Disposition: form-data; name="${b}"`),
  partNames.map((n) => `Content-Disposition: form-data; name=${n}`),
  partNames.map((n) => `Content-Disposition: form-data; name="${n}"; filename=""`),
  partNames.map((n) => `Content-Disposition: form-data; name="${n}"\r\nContent-Type: text/plain`),
  partNames.map((n) => `Content-Disposition: form-data;\r\n name="${n}"`),
  partNames.map((n) => `Content-Disposition: form-data; name="${n}"\r\nX-Note: 1`),
);
const multipartBodies = fc
  .record({
    parts: fc.array(fc.tuple(headerBlocks, partValues), { minLength: 1, maxLength: 4 }),
    preamble: fc.oneof({ arbitrary: fc.constant(false), weight: 4 }, { arbitrary: fc.constant(true), weight: 1 }),
    lfOnly: fc.oneof({ arbitrary: fc.constant(false), weight: 4 }, { arbitrary: fc.constant(true), weight: 1 }),
    epilogue: fc.constantFrom("", "\r\n", "", "\r\n", '\r\n--B\r\nContent-Disposition: form-data; name="amount"\r\n\r\n10000\r\n--B--\r\n'),
  })
  .map(({ parts, preamble, lfOnly, epilogue }) => {
    const text = `${preamble ? "ignore me\r\n" : ""}${parts.map(([head, value]) => `--B\r\n${head}\r\n\r\n${value}\r\n`).join("")}--B--${epilogue}`;
    return lfOnly ? text.replace(/\r\n/g, "\n") : text;
  });

describe("what is approved is what every multipart parser reads", () => {
  it("either refuses the body or every reference reader sees the displayed values (fast-check)", async () => {
    let approved = 0;
    await fc.assert(
      fc.asyncProperty(multipartBodies, async (text) => {
        const request = new Request("https://p.test/api/withdraw", {
          method: "POST",
          headers: { "Content-Type": "multipart/form-data; boundary=B" },
          body: text,
        });
        const body = await readBody(request.clone());
        if (ambiguityOf(request, body, ["amount", "to"]) !== null) return;
        approved++;
        const shown = displayedFields(body, ["amount", "to"]);
        for (const [reader, quirks] of Object.entries(MULTIPART_READERS)) {
          const fields = readMultipart(text, "B", quirks);
          if (fields === null) continue;
          for (const name of ["amount", "to"]) expect(fields.get(name), `${reader} reads ${name} of ${JSON.stringify(text)}`).toEqual(shownValue(shown, name));
        }
      }),
      { numRuns: 2000 },
    );
    expect(approved).toBeGreaterThan(50);
  });

  it("refuses the review's split: two Content-Disposition headers naming a decoy and the real field", async () => {
    const part = (shown: string, real: string, value: string) =>
      `--B\r\nContent-Disposition: form-data; name="${shown}"\r\nContent-Disposition: form-data; name="${real}"\r\n\r\n${value}\r\n`;
    const text = `${part("amount", "shown_a", "10")}${part("to", "shown_t", "ALICE")}${part("real_a", "amount", "10000")}${part("real_t", "to", "MALLORY")}--B--\r\n`;
    const request = new Request("https://p.test/api/withdraw", { method: "POST", headers: { "Content-Type": "multipart/form-data; boundary=B" }, body: text });
    expect(ambiguityOf(request, await readBody(request.clone()), ["amount", "to"])).toMatch(/two Content-Disposition/);
  });
});
