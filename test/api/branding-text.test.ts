/**
 * The languages of a policy and a tenant's own wording (`branding.text`): the admin API refuses
 * a language stepgate does not speak, a default outside the tenant's languages, a key of no
 * catalogue, and a wording that loses or adds a placeholder — each named in one 422.
 */
import { describe, expect, it } from "vitest";
import { adminHeaders, aPolicy, aTenant, send } from "../support/builders";

const policyUrl = (base: string) => `${base}/__stepgate/admin/v1/policy`;

async function put(base: string, policy: object): Promise<Response> {
  const etag = (await send(policyUrl(base), { headers: adminHeaders() })).headers.get("ETag")!;
  return send(policyUrl(base), { method: "PUT", headers: adminHeaders({ "If-Match": etag }), body: JSON.stringify(policy) });
}

async function patch(base: string, change: object): Promise<Response> {
  const etag = (await send(policyUrl(base), { headers: adminHeaders() })).headers.get("ETag")!;
  return send(policyUrl(base), {
    method: "PATCH",
    headers: adminHeaders({ "If-Match": etag, "Content-Type": "application/merge-patch+json" }),
    body: JSON.stringify(change),
  });
}

async function errorsOf(response: Response): Promise<Array<{ pointer: string; detail: string }>> {
  expect(response.status).toBe(422);
  return (await response.json<{ errors: Array<{ pointer: string; detail: string }> }>()).errors;
}

describe("a policy's languages", () => {
  it("defaults to every language, English first", async () => {
    const { base } = await aTenant();
    const stored = await (await put(base, aPolicy())).json<{ branding: { languages: string[]; defaultLanguage: string } }>();
    expect(stored.branding.languages).toHaveLength(15);
    expect(stored.branding.defaultLanguage).toBe("en");
  });

  it("refuses a language stepgate does not speak, and a default outside the tenant's languages", async () => {
    const { base } = await aTenant();
    const errors = await errorsOf(await put(base, aPolicy({ branding: { languages: ["en", "xx" as never], defaultLanguage: "de" } })));
    expect(errors.map((e) => e.pointer)).toEqual(expect.arrayContaining(["#/branding/languages/1"]));
    const outside = await errorsOf(await put(base, aPolicy({ branding: { languages: ["en", "ja"], defaultLanguage: "de" } })));
    expect(outside).toEqual([{ pointer: "#/branding/defaultLanguage", detail: "the default language must be one of `languages`" }]);
  });
});

describe("a tenant's own wording", () => {
  it("is stored when its keys and placeholders are the catalogue's, an operation's name and a built-in operation's title included", async () => {
    const { base } = await aTenant();
    const text = {
      de: { "challenge.title": "{operation} freigeben", "op.withdraw": "Auszahlung", "code.sms": "{code}: Ihr {tenant}-Code, gültig {duration}." },
      en: { "op.withdraw": "payout", "challenge.title.withdraw": "Confirm your payout" },
    };
    const response = await patch(base, { branding: { text } });
    expect(response.status).toBe(200);
    expect((await response.json<{ branding: { text: unknown } }>()).branding.text).toEqual(text);
  });

  it("refuses a key of no catalogue, a language stepgate does not speak, and an operation the policy lacks", async () => {
    const { base } = await aTenant();
    const errors = await errorsOf(await patch(base, { branding: { text: { de: { "challenge.titel": "Bestätigen", "op.statements": "Auszüge" }, xx: {} } } }));
    expect(errors.map((e) => e.pointer).sort()).toEqual(["#/branding/text/de/challenge.titel", "#/branding/text/de/op.statements", "#/branding/text/xx"]);
  });

  it("refuses a wording that loses or adds a placeholder, naming which, in one 422 with the schema's errors", async () => {
    const { base } = await aTenant();
    const policy = aPolicy({
      enforcement: "sometimes" as never,
      branding: { text: { fr: { "challenge.title": "Confirmer", "code.wrong": "Code erroné. Essais restants : {n}." } } },
    });
    const errors = await errorsOf(await put(base, policy));
    expect(errors).toEqual(
      expect.arrayContaining([
        { pointer: "#/enforcement", detail: expect.any(String) },
        { pointer: "#/branding/text/fr/challenge.title", detail: "keeps the placeholders of the text it replaces: missing {operation}" },
        { pointer: "#/branding/text/fr/code.wrong", detail: "keeps the placeholders of the text it replaces: missing {count}; not known here {n}" },
      ]),
    );
  });

  it("names an operation the tenant added, once the policy has it", async () => {
    const { base } = await aTenant();
    const operations = { statements: { routes: ["GET /echo/statements"], maxAge: 600 } };
    const response = await patch(base, { operations, branding: { text: { de: { "op.statements": "Kontoauszüge" } } } });
    expect(response.status).toBe(200);
  });
});
