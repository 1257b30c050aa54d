import { describe, expect, it } from "vitest";
import { env } from "cloudflare:test";
import { kvKeys } from "../../src/config/kv-keys";
import { adminHeaders, aPolicy, aSession, aTenant, send } from "../support/builders";

const policyUrl = (base: string) => `${base}/__stepgate/admin/v1/policy`;

async function currentEtag(base: string): Promise<string> {
  const response = await send(policyUrl(base), { headers: adminHeaders() });
  expect(response.status).toBe(200);
  return response.headers.get("ETag")!;
}

describe("admin policy: authentication", () => {
  it.each([
    ["no key", {}],
    ["a wrong key", { Authorization: "Bearer wrong" }],
    ["an empty bearer", { Authorization: "Bearer " }],
    ["another scheme", { Authorization: "Basic dGVzdC1hZG1pbi1rZXk=" }],
  ])("refuses %s with 401", async (_label, headers) => {
    const { base } = await aTenant();
    for (const method of ["GET", "PUT"]) {
      const response = await send(policyUrl(base), { method, headers, body: method === "PUT" ? "{}" : undefined });
      expect(response.status).toBe(401);
      expect(response.headers.get("WWW-Authenticate")).toMatch(/^Bearer/);
      expect(await response.json()).toMatchObject({ code: "unauthorized" });
    }
  });
});

describe("admin policy: GET", () => {
  it("returns the stored policy with an ETag", async () => {
    const { base } = await aTenant();
    const response = await send(policyUrl(base), { headers: adminHeaders() });
    expect(response.status).toBe(200);
    expect(response.headers.get("ETag")).toMatch(/^"[0-9a-f]{32}"$/);
    expect(await response.json()).toMatchObject({ origin: env.TEST_ORIGIN, enabled: true });
  });

  it("answers 404 for a tenant without a policy", async () => {
    const { base } = await aTenant(null);
    const response = await send(policyUrl(base), { headers: adminHeaders() });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ code: "policy_not_found" });
  });
});

describe("admin policy: PUT", () => {
  it("stores a valid policy with its defaults, returns the new ETag, and applies it at once", async () => {
    const { base, tenantId } = await aTenant(aPolicy({ enabled: false }));
    const before = await send(`${base}/api/withdraw`, { method: "POST", headers: { Cookie: `portal_session=${await aSession()}` } });
    expect(await before.json()).toMatchObject({ origin: "fixture" });

    const etag = await currentEtag(base);
    const response = await send(policyUrl(base), {
      method: "PUT",
      headers: adminHeaders({ "If-Match": etag }),
      body: JSON.stringify(aPolicy({ enabled: true, enforcement: "required" })),
    });
    expect(response.status).toBe(200);
    const newEtag = response.headers.get("ETag");
    expect(newEtag).not.toBe(etag);
    const stored = JSON.parse((await env.POLICY.get(kvKeys.policy(tenantId)))!);
    expect(stored).toMatchObject({ enabled: true, enforcement: "required", lockout: { maxAttempts: 5 } });
    expect(await currentEtag(base)).toBe(newEtag);

    // The same isolate enforces the new policy on the very next request.
    const after = await send(`${base}/api/withdraw`, { method: "POST", headers: { Cookie: `portal_session=${await aSession()}` } });
    expect(after.status).toBe(401);
    expect(await after.json()).toMatchObject({ code: "enrollment_required" });
  });

  it("requires If-Match (428) and refuses a stale ETag (412) without writing", async () => {
    const { base, tenantId } = await aTenant();
    const before = await env.POLICY.get(kvKeys.policy(tenantId));
    const body = JSON.stringify(aPolicy({ enforcement: "required" }));

    const unconditional = await send(policyUrl(base), { method: "PUT", headers: adminHeaders(), body });
    expect(unconditional.status).toBe(428);
    expect(await unconditional.json()).toMatchObject({ code: "precondition_required" });

    const stale = await send(policyUrl(base), { method: "PUT", headers: adminHeaders({ "If-Match": '"0123456789abcdef0123456789abcdef"' }), body });
    expect(stale.status).toBe(412);
    expect(await stale.json()).toMatchObject({ code: "precondition_failed", etag: await currentEtag(base) });

    expect(await env.POLICY.get(kvKeys.policy(tenantId))).toBe(before);
  });

  it("lets only one of two writers holding the same ETag win", async () => {
    const { base } = await aTenant();
    const etag = await currentEtag(base);
    const put = (enforcement: string) =>
      send(policyUrl(base), {
        method: "PUT",
        headers: adminHeaders({ "If-Match": etag }),
        body: JSON.stringify(aPolicy({ enforcement: enforcement as "required" })),
      });
    expect((await put("required")).status).toBe(200);
    expect((await put("per_user")).status).toBe(412);
  });

  it("creates a policy with If-None-Match: * only where none exists", async () => {
    const { base } = await aTenant(null);
    const create = () => send(policyUrl(base), { method: "PUT", headers: adminHeaders({ "If-None-Match": "*" }), body: JSON.stringify(aPolicy()) });
    expect((await create()).status).toBe(201);
    expect((await create()).status).toBe(412);
  });

  it("answers 422 listing every invalid field, and writes nothing", async () => {
    const { base, tenantId } = await aTenant();
    const before = await env.POLICY.get(kvKeys.policy(tenantId));
    const invalid = {
      ...aPolicy(),
      origin: "ftp://files.example",
      enforcement: "sometimes",
      lockout: { maxAttempts: 0 },
      operations: { withdraw: { routes: ["withdraw everything"], maxAge: -5 } },
      colour: "#fff",
    };
    const response = await send(policyUrl(base), {
      method: "PUT",
      headers: adminHeaders({ "If-Match": await currentEtag(base) }),
      body: JSON.stringify(invalid),
    });
    expect(response.status).toBe(422);
    expect(response.headers.get("Content-Type")).toBe("application/problem+json");
    const body = await response.json<{ code: string; errors: Array<{ pointer: string; detail: string }> }>();
    expect(body.code).toBe("validation_failed");
    const pointers = body.errors.map((e) => e.pointer);
    expect(pointers).toEqual(
      expect.arrayContaining([
        "#/origin",
        "#/enforcement",
        "#/lockout/maxAttempts",
        "#/operations/withdraw/routes/0",
        "#/operations/withdraw/maxAge",
        "#/colour",
      ]),
    );
    expect(body.errors.every((e) => e.detail.length > 0)).toBe(true);
    expect(await env.POLICY.get(kvKeys.policy(tenantId))).toBe(before);
  });

  it.each([
    ["malformed JSON", "{ nope", "application/json", 400, "malformed_json"],
    ["a non-JSON content type", "{}", "text/plain", 415, "unsupported_media_type"],
    ["an oversized body", JSON.stringify({ padding: "x".repeat(70_000) }), "application/json", 413, "body_too_large"],
  ])("refuses %s with a clear problem", async (_label, body, type, status, code) => {
    const { base, tenantId } = await aTenant();
    const before = await env.POLICY.get(kvKeys.policy(tenantId));
    const response = await send(policyUrl(base), {
      method: "PUT",
      headers: adminHeaders({ "If-Match": await currentEtag(base), "Content-Type": type }),
      body,
    });
    expect(response.status).toBe(status);
    expect(await response.json()).toMatchObject({ code });
    expect(await env.POLICY.get(kvKeys.policy(tenantId))).toBe(before);
  });
});

describe("admin policy: routes that cannot compile", () => {
  it.each(["POST /a/:id{[}", "POST /a/:id?", "GET  /double-space", "post /lowercase", "POST relative/path"])(
    "refuses %s with 422 naming the route, and writes nothing",
    async (route) => {
      const { base, tenantId } = await aTenant();
      const before = await env.POLICY.get(kvKeys.policy(tenantId));
      const response = await send(policyUrl(base), {
        method: "PUT",
        headers: adminHeaders({ "If-Match": await currentEtag(base) }),
        body: JSON.stringify(aPolicy({ operations: { withdraw: { routes: ["POST /ok", route] } } })),
      });
      expect(response.status).toBe(422);
      const body = await response.json<{ errors: Array<{ pointer: string }> }>();
      expect(body.errors.map((e) => e.pointer)).toContain("#/operations/withdraw/routes/1");
      expect(await env.POLICY.get(kvKeys.policy(tenantId))).toBe(before);
    },
  );

  it("fails closed, not with a crash, when such a route is already in KV", async () => {
    const broken = aPolicy({ operations: { withdraw: { routes: ["POST /api/withdraw", "POST /a/:id{[}"] } } });
    const { base } = await aTenant(JSON.stringify(broken));
    const protectedResponse = await send(`${base}/api/withdraw`, { method: "POST" });
    expect(protectedResponse.status).toBe(503);
    expect(await protectedResponse.json()).toMatchObject({ code: "policy_invalid" });
    const plain = await send(`${base}/cookies`);
    expect(plain.status).toBe(503); // the routes cannot be read, so nothing is known to be safe
  });
});

describe("admin policy: concurrent writers", () => {
  it("lets exactly one of eight parallel writers holding the same ETag win; the others get 412 and nothing of theirs is stored", async () => {
    const { base, tenantId } = await aTenant();
    const etag = await currentEtag(base);
    const writers = Array.from({ length: 8 }, (_, i) =>
      send(policyUrl(base), {
        method: "PUT",
        headers: adminHeaders({ "If-Match": etag }),
        body: JSON.stringify(aPolicy({ branding: { name: `writer ${i}` } })),
      }),
    );
    const responses = await Promise.all(writers);
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 412, 412, 412, 412, 412, 412, 412]);
    const winner = responses.find((r) => r.status === 200)!;
    const stored = JSON.parse((await env.POLICY.get(kvKeys.policy(tenantId)))!);
    expect(stored.branding.name).toBe((await winner.json<{ branding: { name: string } }>()).branding.name);
    const { versions } = await (await send(`${policyUrl(base)}/history`, { headers: adminHeaders() })).json<{ versions: unknown[] }>();
    expect(versions).toHaveLength(2); // the seeded policy and the one winner
  });
});

describe("admin policy: PATCH (JSON merge patch)", () => {
  const patch = (base: string, body: unknown, headers: Record<string, string>) =>
    send(policyUrl(base), {
      method: "PATCH",
      headers: { ...adminHeaders(headers), "Content-Type": "application/merge-patch+json" },
      body: JSON.stringify(body),
    });

  it("changes only the named fields, removes a field given null, and returns the new ETag", async () => {
    const { base } = await aTenant(aPolicy({ requiredGroups: ["a"] }));
    const response = await patch(base, { enforcement: "required", lockout: { maxAttempts: 3 }, requiredGroups: null }, { "If-Match": await currentEtag(base) });
    expect(response.status).toBe(200);
    const body = await response.json<Record<string, any>>();
    expect(body).toMatchObject({ enforcement: "required", lockout: { maxAttempts: 3, lockSeconds: 900 }, requiredGroups: [] });
    expect(body.operations.withdraw.routes).toEqual(["POST /wallet/withdraw", "POST /api/withdraw"]);
    expect(await currentEtag(base)).toBe(response.headers.get("ETag"));
  });

  it("needs If-Match, refuses a stale one, and validates the patched whole (422 naming the field)", async () => {
    const { base, tenantId } = await aTenant();
    const before = await env.POLICY.get(kvKeys.policy(tenantId));
    expect((await patch(base, { enforcement: "required" }, {})).status).toBe(428);
    expect((await patch(base, { enforcement: "required" }, { "If-Match": '"stale"' })).status).toBe(412);
    const invalid = await patch(base, { lockout: { maxAttempts: 0 }, origin: null }, { "If-Match": await currentEtag(base) });
    expect(invalid.status).toBe(422);
    expect((await invalid.json<{ errors: Array<{ pointer: string }> }>()).errors.map((e) => e.pointer)).toEqual(
      expect.arrayContaining(["#/lockout/maxAttempts", "#/origin"]),
    );
    const notObject = await patch(base, ["enabled"], { "If-Match": await currentEtag(base) });
    expect(notObject.status).toBe(400);
    expect(await env.POLICY.get(kvKeys.policy(tenantId))).toBe(before);
  });

  it("refuses __proto__ in a patch as the unknown field it is, at any depth, and writes nothing", async () => {
    const { base, tenantId } = await aTenant();
    const before = await env.POLICY.get(kvKeys.policy(tenantId));
    for (const [body, pointer] of [
      ['{"__proto__":{"enabled":false}}', "#/__proto__"],
      ['{"lockout":{"__proto__":{"maxAttempts":1}}}', "#/lockout/__proto__"],
    ]) {
      const response = await send(policyUrl(base), {
        method: "PATCH",
        headers: { ...adminHeaders({ "If-Match": await currentEtag(base) }), "Content-Type": "application/merge-patch+json" },
        body, // as sent: JSON.stringify would not write a __proto__ key
      });
      expect(response.status, body).toBe(422);
      expect((await response.json<{ errors: Array<{ pointer: string }> }>()).errors.map((e) => e.pointer)).toContain(pointer);
    }
    expect(await env.POLICY.get(kvKeys.policy(tenantId))).toBe(before);
  });

  it("refuses a patch that would grow the stored policy past its size limit (422), so GET then PUT always fits", async () => {
    const { base, tenantId } = await aTenant();
    // Each patch adds an operation of ~25 KB: two fit in 64 KiB, the third does not.
    const grow = (n: number) => ({ operations: { [`grow_${n}`]: { routes: Array.from({ length: 40 }, (_, i) => `GET /g${n}/${i}/${"a".repeat(600)}`) } } });
    expect((await patch(base, grow(1), { "If-Match": await currentEtag(base) })).status).toBe(200);
    expect((await patch(base, grow(2), { "If-Match": await currentEtag(base) })).status).toBe(200);
    const stored = await env.POLICY.get(kvKeys.policy(tenantId));
    const tooBig = await patch(base, grow(3), { "If-Match": await currentEtag(base) });
    expect(tooBig.status).toBe(422);
    expect(await tooBig.json()).toMatchObject({ code: "validation_failed", errors: [{ pointer: "#/" }] });
    expect(await env.POLICY.get(kvKeys.policy(tenantId))).toBe(stored);
    // What GET shows can always be PUT back.
    const current = await send(policyUrl(base), { headers: adminHeaders() });
    const again = await send(policyUrl(base), {
      method: "PUT",
      headers: adminHeaders({ "If-Match": current.headers.get("ETag")! }),
      body: await current.text(),
    });
    expect(again.status).toBe(200);
  });

  it("answers 404 when there is no policy to patch", async () => {
    const { base } = await aTenant(null);
    expect((await patch(base, { enabled: true }, { "If-Match": "*" })).status).toBe(404);
  });
});

describe("admin policy: history", () => {
  it("keeps every change with who made it, when, its ETag and what changed, newest first, paginated", async () => {
    const { base } = await aTenant(aPolicy({ enforcement: "optional" }));
    const { aTenantKey, keyHeaders } = await import("../support/admin");
    const { id, key } = await aTenantKey(base, ["policy:read", "policy:write"]);
    const first = await send(policyUrl(base), {
      method: "PATCH",
      headers: adminHeaders({ "If-Match": await currentEtag(base) }),
      body: JSON.stringify({ enforcement: "required" }),
    });
    expect(first.status).toBe(200);
    const second = await send(policyUrl(base), {
      method: "PATCH",
      headers: keyHeaders(key, { "If-Match": first.headers.get("ETag")! }),
      body: JSON.stringify({
        lockout: { maxAttempts: 4 },
        factors: { sms: { enabled: true, provider: "twilio", twilio: { accountSid: `AC${"0".repeat(32)}`, authToken: "secret-token", from: "+15005550006" } } },
      }),
    });
    expect(second.status).toBe(200);

    const page1 = await (await send(`${policyUrl(base)}/history?limit=2`, { headers: adminHeaders() })).json<{
      versions: Array<Record<string, any>>;
      nextCursor: string;
    }>();
    expect(page1.versions.map((v) => v.actor)).toEqual([`key:${id}`, "bootstrap"]);
    expect(page1.versions[0]!.etag).toBe(second.headers.get("ETag"));
    expect(page1.versions[1]!.changes).toContainEqual({ path: "/enforcement", from: "optional", to: "required" });
    expect(page1.versions[1]!.changes).toContainEqual(expect.objectContaining({ path: "/enforcementChangedAt" }));
    expect(page1.versions[0]!.changes).toContainEqual({ path: "/lockout/maxAttempts", from: 5, to: 4 });
    // A credential is sealed before it is stored, and the history never shows it.
    expect(JSON.stringify(page1.versions)).not.toContain("secret-token");
    expect(page1.versions[0]!.changes).toContainEqual(
      expect.objectContaining({ path: "/factors/sms/twilio", to: expect.objectContaining({ authToken: { sealed: "(sealed)" } }) }),
    );

    const page2 = await (await send(`${policyUrl(base)}/history?limit=2&cursor=${page1.nextCursor}`, { headers: adminHeaders() })).json<{
      versions: Array<Record<string, any>>;
      nextCursor: string | null;
    }>();
    expect(page2.versions).toHaveLength(1);
    expect(page2.versions[0]).toMatchObject({ actor: "kv", changes: [{ path: "" }] });
    expect(page2.nextCursor).toBeNull();

    const audit = await (await send(`${base}/__stepgate/admin/v1/audit?type=policy.changed`, { headers: adminHeaders() })).json<{
      entries: Array<{ actor: string }>;
    }>();
    expect(audit.entries.map((e) => e.actor)).toEqual([`key:${id}`, "bootstrap", "kv"]); // the seeded policy, adopted from KV
  });

  it("takes KV showing an earlier version right after a write as a stale read, not a change", async () => {
    const { base, tenantId } = await aTenant(aPolicy({ enforcement: "optional" }));
    const seeded = await env.POLICY.get(kvKeys.policy(tenantId));
    const put = await send(policyUrl(base), {
      method: "PUT",
      headers: adminHeaders({ "If-Match": await currentEtag(base) }),
      body: JSON.stringify(aPolicy({ enforcement: "required" })),
    });
    expect(put.status).toBe(200);
    // As if this location's KV still served the value from before the write.
    await env.POLICY.put(kvKeys.policy(tenantId), seeded!);
    const response = await send(policyUrl(base), { headers: adminHeaders() });
    expect(response.headers.get("ETag")).toBe(put.headers.get("ETag"));
    expect(await response.json()).toMatchObject({ enforcement: "required" });
  });

  it("adopts a policy written to KV outside the admin API, as a version of its own", async () => {
    const { base, tenantId } = await aTenant(aPolicy({ enforcement: "optional" }));
    const etag = await currentEtag(base);
    // Someone runs `wrangler kv key put` (or `npm run dev` seeds the demo tenant again).
    await env.POLICY.put(kvKeys.policy(tenantId), JSON.stringify(aPolicy({ enforcement: "per_user" })));
    const response = await send(policyUrl(base), { headers: adminHeaders() });
    expect(await response.json()).toMatchObject({ enforcement: "per_user" });
    expect(response.headers.get("ETag")).not.toBe(etag);
    // An admin holding the old ETag cannot overwrite the change they never saw.
    const stale = await send(policyUrl(base), { method: "PUT", headers: adminHeaders({ "If-Match": etag }), body: JSON.stringify(aPolicy()) });
    expect(stale.status).toBe(412);
    const { versions } = await (await send(`${policyUrl(base)}/history`, { headers: adminHeaders() })).json<{
      versions: Array<{ actor: string; changes: unknown[] }>;
    }>();
    expect(versions[0]).toMatchObject({ actor: "kv", changes: [{ path: "/enforcement", from: "optional", to: "per_user" }] });
  });
});

describe("admin policy: credentials cannot be redirected", () => {
  const twilio = (apiBaseUrl: string, authToken: unknown) => ({
    factors: { sms: { enabled: true, provider: "twilio", twilio: { accountSid: `AC${"1".repeat(32)}`, from: "+15005550006", apiBaseUrl, authToken } } },
  });
  const patch = async (base: string, body: unknown, headers = adminHeaders()) =>
    send(policyUrl(base), {
      method: "PATCH",
      headers: { ...headers, "If-Match": "*", "Content-Type": "application/merge-patch+json" },
      body: JSON.stringify(body),
    });

  it("refuses to send a sealed credential somewhere new unless it is given again", async () => {
    const { base, tenantId } = await aTenant();
    expect((await patch(base, twilio("https://api.twilio.com", "the-real-token"))).status).toBe(200);
    const stored = await env.POLICY.get(kvKeys.policy(tenantId));
    expect(stored).not.toContain("the-real-token");

    // A key that may write the policy points the provider at its own server, keeping the sealed token.
    const { aTenantKey, keyHeaders } = await import("../support/admin");
    const { key } = await aTenantKey(base, ["policy:write"]);
    const redirected = await patch(base, { factors: { sms: { twilio: { apiBaseUrl: "https://attacker.example" } } } }, keyHeaders(key));
    expect(redirected.status).toBe(422);
    expect(await redirected.json()).toMatchObject({ errors: [{ pointer: "#/factors/sms/twilio/authToken" }] });
    expect(await env.POLICY.get(kvKeys.policy(tenantId))).toBe(stored);

    // Other changes keep the sealed token where it is; a new destination with the token sent again is fine.
    expect((await patch(base, { lockout: { maxAttempts: 4 } }, keyHeaders(key))).status).toBe(200);
    expect((await patch(base, twilio("https://twilio-proxy.example", "the-real-token"), keyHeaders(key))).status).toBe(200);
  });

  it("refuses a sealed value moved to another credential's place", async () => {
    const { base } = await aTenant();
    const set = await patch(base, twilio("https://api.twilio.com", "sms-token"));
    const sealed = (await set.json<{ factors: { sms: { twilio: { authToken: { sealed: string } } } } }>()).factors.sms.twilio.authToken;
    const moved = await patch(base, {
      factors: { email: { enabled: true, provider: "smtp", host: "mail.attacker.example", port: 465, from: "x@y.example", username: "u", password: sealed } },
    });
    expect(moved.status).toBe(422);
    expect(await moved.json()).toMatchObject({ errors: [{ pointer: "#/factors/email/password" }] });
  });

  it("lists a foreign credential reference together with every schema error in one 422", async () => {
    const { base } = await aTenant();
    const response = await send(policyUrl(base), {
      method: "PUT",
      headers: adminHeaders({ "If-Match": await currentEtag(base) }),
      body: JSON.stringify({
        ...aPolicy(),
        enforcement: "sometimes",
        factors: { email: { enabled: true, provider: "resend", from: "a@b.example", apiKey: { ref: "TENANT_OTHER_RESEND_KEY" } } },
      }),
    });
    expect(response.status).toBe(422);
    const pointers = (await response.json<{ errors: Array<{ pointer: string }> }>()).errors.map((e) => e.pointer);
    expect(pointers).toEqual(expect.arrayContaining(["#/enforcement", "#/factors/email/apiKey/ref"]));
  });
});

describe("admin policy: a plain credential written to KV by hand", () => {
  it("is never shown by the history, and its adoption is audited", async () => {
    const { base, tenantId } = await aTenant();
    await currentEtag(base);
    const plain = { ...aPolicy(), factors: { email: { enabled: true, provider: "resend", from: "a@b.example", apiKey: "re_plain_secret_value" } } };
    await env.POLICY.put(kvKeys.policy(tenantId), JSON.stringify(plain));
    await currentEtag(base);
    const history = await (await send(`${policyUrl(base)}/history`, { headers: adminHeaders() })).text();
    expect(history).not.toContain("re_plain_secret_value");
    expect(history).toContain("(hidden)");
    const { entries } = await (await send(`${base}/__stepgate/admin/v1/audit?type=policy.changed`, { headers: adminHeaders() })).json<{
      entries: Array<{ actor: string }>;
    }>();
    expect(entries.map((e) => e.actor)).toEqual(["kv", "kv"]);
  });
});
