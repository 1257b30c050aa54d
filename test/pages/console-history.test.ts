/**
 * The console's settings history: every version of the policy with who, when and what changed
 * (secrets never shown), and restoring a version: a confirmation showing what it would change,
 * then an ordinary policy write (audited as the console's admin, compare-and-swap on the ETag
 * the page carried), refused without `policy:write`, with a forged form or a stale ETag.
 */
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { revealCredential } from "../../src/config/credentials";
import { tenantState } from "../../src/state/tenant";
import { adminGet, aTenantKey } from "../support/admin";
import { adminHeaders, send } from "../support/builders";
import { aConsoleAdmin, type ConsoleAdmin, csrfIn, signedIn } from "../support/console";

const policyUrl = (admin: ConsoleAdmin) => `${admin.base}/__stepgate/admin/v1/policy`;

/** The policy as the admin API shows it, with its ETag. */
async function storedPolicy(admin: ConsoleAdmin): Promise<{ etag: string; policy: Record<string, any> }> {
  const response = await send(policyUrl(admin), { headers: adminHeaders() });
  expect(response.status).toBe(200);
  return { etag: response.headers.get("ETag")!, policy: await response.json() };
}

/** A merge patch of the policy through the admin API (with the bootstrap key unless `headers` say otherwise). */
async function patchPolicy(admin: ConsoleAdmin, patch: unknown, headers = adminHeaders()): Promise<void> {
  const response = await send(policyUrl(admin), {
    method: "PATCH",
    headers: { ...headers, "If-Match": (await storedPolicy(admin)).etag, "Content-Type": "application/merge-patch+json" },
    body: JSON.stringify(patch),
  });
  expect(response.status, await response.clone().text()).toBe(200);
}

type Version = { version: number; actor: string; etag: string; changes: Array<{ path: string; from?: unknown; to?: unknown }> };

async function versions(admin: ConsoleAdmin): Promise<Version[]> {
  return (await adminGet<{ versions: Version[] }>(`${policyUrl(admin)}/history?limit=100`)).versions;
}

/** The version numbers on a history page, in its order. */
const shownVersions = (html: string) => [...html.matchAll(/<article class="card version" id="version-(\d+)"/g)].map((m) => Number(m[1]));

const twilio = (apiBaseUrl: string, authToken: string) => ({
  factors: { sms: { enabled: true, provider: "twilio", twilio: { accountSid: `AC${"2".repeat(32)}`, from: "+15005550006", apiBaseUrl, authToken } } },
});

/** A tenant whose policy was adopted from KV (version 1), then changed twice through the API (2: enforcement, 3: lockout). */
async function aHistory(scopes?: string[]): Promise<ConsoleAdmin> {
  const admin = await aConsoleAdmin({ enforcement: "optional" }, scopes);
  await patchPolicy(admin, { enforcement: "required" });
  await patchPolicy(admin, { lockout: { maxAttempts: 4 } });
  return admin;
}

describe("the console's settings history", () => {
  it("lists the versions newest first: who, when, and each setting before and after", async () => {
    const admin = await aHistory();
    const html = await admin.html("/history");
    expect(shownVersions(html)).toEqual([3, 2, 1]);
    const v2 = /<article class="card version" id="version-2"[\s\S]*?<\/article>/.exec(html)![0];
    expect(v2).toContain("<code>bootstrap</code>");
    expect(v2).toMatch(
      /<tr data-path="\/enforcement"><th scope="row"><code>\/enforcement<\/code><\/th><td><code>&quot;optional&quot;<\/code><\/td><td><code>&quot;required&quot;<\/code><\/td><\/tr>/,
    );
    expect(v2).toMatch(/<time datetime="\d{4}-\d{2}-\d{2}T[^"]+Z">/);
    const v1 = /<article class="card version" id="version-1"[\s\S]*?<\/article>/.exec(html)![0];
    expect(v1).toContain("a change made outside the console and the API");
    expect(v1).toContain("All settings");
    // The current version is marked and has nothing to restore; the others can be restored.
    const v3 = /<article class="card version" id="version-3"[\s\S]*?<\/article>/.exec(html)![0];
    expect(v3).toContain("Current version");
    expect(v3).not.toContain("/restore");
    expect(html).toContain('action="/__stepgate/admin/history/2/restore"');
    expect(html).not.toContain('id="read-only"');
    expect(html).toMatch(/href="\/__stepgate\/admin\/history" aria-current="page"/);
  });

  it("never shows a credential: it says a secret changed", async () => {
    const admin = await aConsoleAdmin();
    await patchPolicy(admin, twilio("https://api.twilio.com", "token-in-clear"));
    await patchPolicy(admin, { factors: { sms: { twilio: { authToken: "another-token" } } } });
    const sealed = (await storedPolicy(admin)).policy.factors.sms.twilio.authToken.sealed as string;
    const html = await admin.html("/history");
    expect(html).not.toContain("token-in-clear");
    expect(html).not.toContain("another-token");
    expect(html).not.toContain(sealed);
    expect(html).toMatch(/<tr data-path="\/factors\/sms\/twilio\/authToken\/sealed">.*?secret, not shown.*?secret, not shown.*?<\/tr>/);
  });

  it("pages with “Older versions”", async () => {
    const admin = await aConsoleAdmin();
    for (let n = 1; n <= 21; n++) await patchPolicy(admin, { lockout: { maxAttempts: 2 + (n % 2) } });
    const first = await admin.html("/history");
    expect(shownVersions(first)).toEqual(Array.from({ length: 20 }, (_, i) => 22 - i));
    const older = /<a href="([^"]+)" rel="next" id="older">/.exec(first)![1]!;
    expect(older).toBe("/__stepgate/admin/history?cursor=3");
    expect(shownVersions(await admin.html("/history?cursor=3"))).toEqual([2, 1]);
  });

  it("is refused (403) to an admin without policy:read", async () => {
    const admin = await aConsoleAdmin({}, ["audit:read"]);
    expect((await admin.get("/history")).status).toBe(403);
    expect(await admin.html("/")).not.toContain('href="/__stepgate/admin/history"');
  });
});

describe("restoring a version from the console", () => {
  it("shows what restoring would change against the current settings, then writes it as the console's admin", async () => {
    const admin = await aHistory();
    const { key, id } = await aTenantKey(admin.base, ["policy:read", "policy:write"]);
    const keyAdmin = await signedIn(admin.base, admin.tenantId, key);
    const confirm = await keyAdmin.html("/history/1/restore");
    expect(confirm).toContain("Restore version 1?");
    expect(confirm).toMatch(/<tr data-path="\/enforcement">.*&quot;required&quot;.*&quot;optional&quot;.*<\/tr>/);
    expect(confirm).toMatch(/<tr data-path="\/lockout\/maxAttempts">.*<code>4<\/code>.*<code>5<\/code>.*<\/tr>/);
    const before = await storedPolicy(admin);
    expect(confirm).toContain(`name="etag" value="${before.etag.replace(/"/g, "&quot;")}"`);

    const restored = await keyAdmin.post("/history/1/restore", { csrf: csrfIn(confirm), etag: before.etag });
    expect(restored.status).toBe(303);
    expect(restored.headers.get("Location")).toBe("/__stepgate/admin/history?restored=1");
    const after = await storedPolicy(admin);
    expect(after.policy).toMatchObject({ enforcement: "optional", lockout: { maxAttempts: 5 } });
    expect(after.etag).not.toBe(before.etag);

    const [newest] = await versions(admin);
    expect(newest).toMatchObject({ version: 4, actor: `key:${id}`, etag: after.etag });
    expect(newest!.changes).toContainEqual({ path: "/enforcement", from: "required", to: "optional" });
    const audit = await adminGet<{ entries: Array<{ actor: string; detail: { etag: string } }> }>(
      `${admin.base}/__stepgate/admin/v1/audit?type=policy.changed`,
    );
    expect(audit.entries[0]).toMatchObject({ actor: `key:${id}`, detail: { etag: after.etag } });
    expect(await keyAdmin.html("/history?restored=1")).toContain("Version 1 was restored");
  });

  it("writes nothing with a stale ETag, and shows what restoring would change now", async () => {
    const admin = await aHistory();
    const confirm = await admin.html("/history/2/restore");
    const seen = /name="etag" value="([^"]+)"/.exec(confirm)![1]!.replace(/&quot;/g, '"');
    // Another admin changes the settings meanwhile.
    await patchPolicy(admin, { lockout: { maxAttempts: 7 } });
    const meanwhile = await storedPolicy(admin);
    const stale = await admin.post("/history/2/restore", { etag: seen });
    expect(stale.status).toBe(409);
    const page = await stale.text();
    expect(page).toContain('id="changed-meanwhile"');
    expect(page).toMatch(/<tr data-path="\/lockout\/maxAttempts">.*<code>7<\/code>.*<code>5<\/code>.*<\/tr>/);
    expect(page).toContain(`name="etag" value="${meanwhile.etag.replace(/"/g, "&quot;")}"`);
    expect(await storedPolicy(admin)).toEqual(meanwhile);
    expect(await versions(admin)).toHaveLength(4);
  });

  it("offers no restore without policy:write, says why, and refuses the page and the form (403), writing nothing", async () => {
    const admin = await aHistory(["policy:read"]);
    const html = await admin.html("/history");
    expect(html).toContain('id="read-only"');
    expect(html).toContain("Your role can view the history but not restore a version.");
    expect(html).not.toContain("/restore");
    expect((await admin.get("/history/1/restore")).status).toBe(403);
    const before = await storedPolicy(admin);
    const refused = await admin.post("/history/1/restore", { etag: before.etag });
    expect(refused.status).toBe(403);
    expect(await storedPolicy(admin)).toEqual(before);
    expect(await versions(admin)).toHaveLength(3);
  });

  it("refuses a forged form (a bad token, or from another site), writing nothing", async () => {
    const admin = await aHistory();
    const before = await storedPolicy(admin);
    expect((await admin.post("/history/1/restore", { csrf: "forged", etag: before.etag })).status).toBe(403);
    expect((await admin.post("/history/1/restore", { etag: before.etag }, { Origin: "https://evil.test" })).status).toBe(403);
    expect(await storedPolicy(admin)).toEqual(before);
    expect(await versions(admin)).toHaveLength(3);
  });

  it("restores a sealed credential with the destination it was sealed for, and it still opens", async () => {
    const admin = await aConsoleAdmin();
    await patchPolicy(admin, twilio("https://api.twilio.com", "token-one"));
    const first = (await storedPolicy(admin)).policy.factors.sms.twilio;
    // The token and where it goes both change since.
    await patchPolicy(admin, twilio("https://twilio-proxy.example", "token-two"));
    const [, sealedVersion] = await versions(admin);
    const html = await admin.html(`/history/${sealedVersion!.version}/restore`);
    expect(html).not.toContain("token-one");
    expect((await admin.post(`/history/${sealedVersion!.version}/restore`, { etag: (await storedPolicy(admin)).etag })).status).toBe(303);
    const restored = (await storedPolicy(admin)).policy.factors.sms.twilio;
    expect(restored).toEqual(first);
    expect(await revealCredential(env, admin.tenantId, restored.authToken, "twilioAuthToken")).toBe("token-one");
  });

  it("shows today's refusals for a version that no longer passes, writing nothing", async () => {
    const admin = await aHistory();
    // A version kept from before a rule existed (written here by hand: every real one passed when written).
    await runInDurableObject(tenantState(env, admin.tenantId), (_instance, state) =>
      state.storage.sql.exec("UPDATE policy_versions SET text = ? WHERE version = 1", JSON.stringify({ enabled: "yes", lockout: { maxAttempts: 4 } })),
    );
    const before = await storedPolicy(admin);
    const refused = await admin.post("/history/1/restore", { etag: before.etag });
    expect(refused.status).toBe(422);
    const page = await refused.text();
    expect(page).toContain('id="refused"');
    expect(page).toContain("<code>/enabled</code>");
    expect(await storedPolicy(admin)).toEqual(before);
  });

  it("answers 404 for a version that is not kept", async () => {
    const admin = await aHistory();
    expect((await admin.get("/history/99/restore")).status).toBe(404);
    expect((await admin.post("/history/99/restore", { etag: (await storedPolicy(admin)).etag })).status).toBe(404);
  });
});
