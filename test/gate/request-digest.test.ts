import { describe, expect, it } from "vitest";
import { displayedFields } from "../../src/gate/displayed-fields";
import { approvalDigest, canonicalJson, readBody, requestDigest } from "../../src/gate/request-digest";

const json = (body: unknown, type = "application/json") =>
  new Request("https://p.test/api/withdraw", {
    method: "POST",
    headers: { "Content-Type": type },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
const digestOf = async (request: Request) => requestDigest(request.clone(), await readBody(request));

describe("request digest", () => {
  it("is the same for the same JSON with keys in another order, and differs for any changed value", async () => {
    const a = await digestOf(json({ amount: 10, to: { iban: "DE1", name: "A" } }));
    expect(await digestOf(json('{"to":{"name":"A","iban":"DE1"},"amount":10}'))).toBe(a);
    expect(await digestOf(json({ amount: 10000, to: { iban: "DE1", name: "A" } }))).not.toBe(a);
    expect(await digestOf(json({ amount: 10, to: { iban: "DE2", name: "A" } }))).not.toBe(a);
    expect(await digestOf(json({ amount: "10", to: { iban: "DE1", name: "A" } }))).not.toBe(a);
  });

  it("binds the method (and any it claims), path and query as sent", async () => {
    const body = await readBody(json({ amount: 10 }));
    const at = (method: string, path: string, headers: Record<string, string> = {}) =>
      requestDigest(new Request(`https://p.test${path}`, { method, headers }), body);
    const base = await at("POST", "/api/withdraw");
    expect(await at("PUT", "/api/withdraw")).not.toBe(base);
    expect(await at("POST", "/api/Withdraw")).not.toBe(base);
    expect(await at("POST", "/api/withdraw?account=2")).not.toBe(base);
    expect(await at("POST", "/api/withdraw", { "X-HTTP-Method-Override": "PUT" })).not.toBe(base);
    expect(await at("POST", "/api/withdraw?_method=DELETE")).not.toBe(base);
  });

  it("refuses JSON that parsers read differently: duplicate keys, integers beyond 2^53, numbers beyond doubles", async () => {
    for (const text of ['{"to":"MALLORY","amount":1,"to":"ALICE"}', '{"a":{"x":1,"x":2}}', '{"to":9007199254740993}', '{"amount":1e400}']) {
      const request = json(text);
      await expect(approvalDigest(request.clone(), await readBody(request), []), text).rejects.toMatchObject({ status: 400, code: "ambiguous_request" });
    }
    // Numbers a double rounds: a decimal reader at the origin keeps what stepgate would not show (outside review).
    for (const text of ['{"amount":0.1000000000000000000001}', '{"amount":4503599627370497.5}', '{"list":[1,2,0.30000000000000001]}']) {
      const request = json(text);
      await expect(approvalDigest(request.clone(), await readBody(request), []), text).rejects.toMatchObject({ status: 400, code: "ambiguous_request" });
    }
    for (const text of ['{"amount":0.1,"fee":10.50,"n":1e2,"m":1e-7,"z":-0,"s":"0.1000000000000000000001"}']) {
      const request = json(text);
      expect(await approvalDigest(request.clone(), await readBody(request), []), text).toMatch(/^[0-9a-f]{64}$/);
    }
    const fine = json('{"to":"A","list":[{"to":"B"}],"s":"\\"to\\":"}');
    expect(await approvalDigest(fine.clone(), await readBody(fine), [])).toMatch(/^[0-9a-f]{64}$/);
  });

  it("refuses an encoded body, and a body it cannot show when the operation shows fields", async () => {
    const gzip = new Request("https://p.test/api/withdraw", {
      method: "POST",
      headers: { "Content-Type": "application/json", "Content-Encoding": "gzip" },
      body: "x",
    });
    await expect(approvalDigest(gzip.clone(), await readBody(gzip), [])).rejects.toMatchObject({ status: 415 });
    const plain = () => new Request("https://p.test/api/withdraw", { method: "POST", headers: { "Content-Type": "text/plain" }, body: '{"amount":10}' });
    await expect(approvalDigest(plain(), await readBody(plain()), ["amount"])).rejects.toMatchObject({ status: 415 });
    expect(await approvalDigest(plain(), await readBody(plain()), [])).toMatch(/^[0-9a-f]{64}$/);
  });

  it("keeps form values as sent: invalid percent-encodings do not collide", async () => {
    const form = (text: string) =>
      new Request("https://p.test/w", { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: text });
    expect(await digestOf(form("to=%FF"))).not.toBe(await digestOf(form("to=%FE")));
  });

  it("reads a form the same whatever the order of its fields, keeping the order of a repeated field", async () => {
    const form = (text: string) =>
      new Request("https://p.test/wallet/withdraw", { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: text });
    const a = await digestOf(form("amount=10&to=ACC+1&csrf=x"));
    expect(await digestOf(form("csrf=x&to=ACC+1&amount=10"))).toBe(a);
    expect(await digestOf(form("amount=11&to=ACC+1&csrf=x"))).not.toBe(a);
    expect(await digestOf(form("to=a&to=b"))).not.toBe(await digestOf(form("to=b&to=a")));
  });

  it("reads multipart by its fields and files, not its boundary", async () => {
    const multipart = () => {
      const data = new FormData();
      data.append("amount", "10");
      data.append("proof", new File(["receipt"], "r.txt", { type: "text/plain" }));
      return new Request("https://p.test/wallet/deposit", { method: "POST", body: data });
    };
    const first = multipart();
    const second = multipart();
    const body = await readBody(first.clone());
    expect(body.fields).toEqual([
      ["amount", "10"],
      ["proof", expect.stringMatching(/^file:r\.txt:text\/plain:7:[0-9a-f]{64}$/)],
    ]);
    expect(await digestOf(first)).toBe(await digestOf(second));
  });

  it("binds any other body byte for byte", async () => {
    const raw = (text: string) => new Request("https://p.test/x", { method: "POST", headers: { "Content-Type": "text/plain" }, body: text });
    expect(await digestOf(raw("a"))).not.toBe(await digestOf(raw("b")));
    expect(await digestOf(json("{ not json"))).not.toBe(await digestOf(json("{ not json!")));
  });

  it("writes canonical JSON with sorted keys at every level", () => {
    expect(canonicalJson({ b: [{ d: 1, c: 2 }], a: "x" })).toBe('{"a":"x","b":[{"c":2,"d":1}]}');
  });
});

describe("displayed fields", () => {
  it("picks JSON pointers and form names, shows control characters, cuts long values, leaves out the missing", async () => {
    const body = await readBody(json({ amount: 10, currency: "USD", to: { name: "<b>Mallory</b>\n\u202eevil", iban: "DE89" }, memo: "x".repeat(500) }));
    expect(displayedFields(body, ["/amount", "currency", "/to/name", "/to/iban", "/missing", "memo"])).toEqual([
      { field: "amount", value: "10" },
      { field: "currency", value: "USD" },
      { field: "to.name", value: "<b>Mallory</b>\u240a\\u202Eevil" },
      { field: "to.iban", value: "DE89" },
      { field: "memo", value: `${"x".repeat(120)}…` },
    ]);
    const form = await readBody(
      new Request("https://p.test/w", { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: "amount=5&to=A&to=B" }),
    );
    expect(displayedFields(form, ["amount", "to", "/amount", "currency"])).toEqual([
      { field: "amount", value: "5" },
      { field: "to [1]", value: "A" },
      { field: "to [2]", value: "B" },
    ]);
    const hidden = await readBody(json({ to: "ACC\u200b\u200d\ufeff\u00ad1\u{e0041}" }));
    expect(displayedFields(hidden, ["to"])).toEqual([{ field: "to", value: "ACC\\u200B\\u200D\\uFEFF\\u00AD1\\u{E0041}" }]);
  });

  it("keeps each entry's label and format, and the currency sent with a money amount", async () => {
    const body = await readBody(json({ amount: "1234.56", currency: "EUR", iban: "DE89370400440532013000" }));
    const display = [
      { field: "amount", format: "money" as const, currencyField: "currency", required: true, label: { de: "Betrag" } },
      { field: "iban", format: "iban" as const, required: false },
      { field: "memo", format: "text" as const, required: false },
    ];
    expect(displayedFields(body, display)).toEqual([
      { field: "amount", value: "1234.56", format: "money", currency: "EUR", label: { de: "Betrag" } },
      { field: "iban", value: "DE89370400440532013000", format: "iban" },
    ]);
    // Two currencies (a form can send one twice): which one the origin reads is unknown, so none is used.
    const twice = await readBody(
      new Request("https://p.test/w", {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: "amount=5&currency=EUR&currency=USD",
      }),
    );
    expect(displayedFields(twice, [{ field: "amount", format: "money", currencyField: "currency", required: false }])).toEqual([
      { field: "amount", value: "5", format: "money" },
    ]);
  });

  it("refuses a request that lacks a required field, naming it", async () => {
    const body = await readBody(json({ amount: 10 }));
    expect(() => displayedFields(body, ["amount", { field: "/to/iban", format: "iban", required: true }])).toThrow(
      expect.objectContaining({ status: 400, code: "display_field_missing", extras: { field: "/to/iban" } }),
    );
    expect(displayedFields(body, ["amount", { field: "/to/iban", format: "iban", required: false }])).toEqual([{ field: "amount", value: "10" }]);
  });

  it("binds the same digest whatever the policy shows and how", async () => {
    const request = () => json({ amount: "10.00", currency: "EUR" });
    const plain = await approvalDigest(request(), await readBody(request()), ["amount"]);
    expect(await approvalDigest(request(), await readBody(request()), ["amount", "currency"])).toBe(plain);
    expect(await approvalDigest(request(), await readBody(request()), [])).toBe(plain);
  });

  it("shows every space and control character the origin receives, never collapsed or trimmed", async () => {
    const shownTo = async (to: string) => displayedFields(await readBody(json({ to })), ["to"])[0]!.value;
    expect(await shownTo(`ALICE${" ".repeat(40)}\r\nMALLORY`)).toBe(`ALICE${"\u2423".repeat(40)}\u240d\u240aMALLORY`);
    expect(await shownTo(" ALICE ")).toBe("\u2423ALICE\u2423");
    expect(await shownTo("ALICE\tSMITH\u0000\u007f")).toBe("ALICE\u2409SMITH\u2400\u2421");
    expect(await shownTo("ALICE\u00a0SMITH\u2028\u0085")).toBe("ALICE\\u00A0SMITH\\u2028\\u0085");
    // Ordinary text is shown as it is.
    expect(await shownTo("Alice Smith, Flat 2")).toBe("Alice Smith, Flat 2");
    // Letters and marks that draw nothing (Unicode's default-ignorable code points) and the blank
    // braille pattern, which a font draws as a space.
    expect(await shownTo("ALICE\u3164\u3164MALLORY")).toBe("ALICE\\u3164\\u3164MALLORY");
    expect(await shownTo("A\u034fB\ufe0fC\u2800\u115fD\u180bE\u{e0100}")).toBe("A\\u034FB\\uFE0FC\\u2800\\u115FD\\u180BE\\u{E0100}");
    // Padding counts towards the cut: it is seen, and cannot push the rest out of sight unseen.
    expect(await shownTo(`ALICE${" ".repeat(200)}MALLORY`)).toBe(`ALICE${"\u2423".repeat(115)}…`);
  });

  it("shows an empty file part as the empty file the origin reads, not as empty text", async () => {
    const emptyFile = (type: string) =>
      new Request("https://p.test/wallet/deposit", {
        method: "POST",
        headers: { "Content-Type": "multipart/form-data; boundary=B" },
        body: `--B\r\nContent-Disposition: form-data; name="amount"\r\n\r\n10\r\n--B\r\nContent-Disposition: form-data; name="proof"; filename=""\r\n${type}\r\n\r\n--B\r\nContent-Disposition: form-data; name="memo"\r\n\r\n\r\n--B--\r\n`,
      });
    const EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    const body = await readBody(emptyFile("Content-Type: application/octet-stream\r\n"));
    expect(displayedFields(body, ["amount", "proof", "memo"])).toEqual([
      { field: "amount", value: "10" },
      { field: "proof", value: `file::application/octet-stream:0:${EMPTY_SHA256}` },
      { field: "memo", value: "" },
    ]);
    expect(displayedFields(await readBody(emptyFile("")), ["proof"])).toEqual([{ field: "proof", value: `file:::0:${EMPTY_SHA256}` }]);
    // An empty file and an empty text field are two requests.
    const emptyText = new Request("https://p.test/wallet/deposit", {
      method: "POST",
      headers: { "Content-Type": "multipart/form-data; boundary=B" },
      body: '--B\r\nContent-Disposition: form-data; name="amount"\r\n\r\n10\r\n--B\r\nContent-Disposition: form-data; name="proof"\r\n\r\n\r\n--B\r\nContent-Disposition: form-data; name="memo"\r\n\r\n\r\n--B--\r\n',
    });
    expect(await digestOf(emptyText)).not.toBe(await digestOf(emptyFile("")));
  });
});
