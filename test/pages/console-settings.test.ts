/**
 * The console's security settings page: the policy as a form (with the ETag it was loaded
 * from), saved through the same write as the admin API, exactly the fields the admin changed;
 * refusals beside their fields with nothing written; read-only for an admin who may only view;
 * scope and CSRF checked; every save in the history and audit trail with the admin.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { kvKeys } from "../../src/config/kv-keys";
import { PolicySchema } from "../../src/config/policy-schema";
import { storePolicy } from "../../src/flows/policy-write";
import { tenantState } from "../../src/state/tenant";
import { policyChanges } from "../../src/config/policy-diff";
import { adminGet, aTenantKey } from "../support/admin";
import { aSession, send } from "../support/builders";
import { aConsoleAdmin, signedIn } from "../support/console";
import { asRecord, decoded, edited, formFields, TICKED, UNTICKED } from "../support/console-form";
import { SETTINGS, SETTINGS_ACTION, saveSettings, storedPolicy, storedThroughApi } from "../support/console-settings";
import { sessionHeaders } from "../support/step-up";

const ACTION = SETTINGS_ACTION;
const save = saveSettings;

/** The value of the input named `name` in `html`. */
function inputValue(html: string, name: string): string | undefined {
  const match = new RegExp(`<input[^>]*name="${name.replace(/[.[\]]/g, "\\$&")}"[^>]*value="([^"]*)"`).exec(html);
  return match ? decoded(match[1]!) : undefined;
}

describe("the security settings page", () => {
  it("shows the stored policy's values with the ETag it was loaded from, in the console's nav", async () => {
    const admin = await aConsoleAdmin({ enforcement: "per_user", lockout: { lockSeconds: 600 }, branding: { name: "Acme", color: "#aa3300" } });
    const html = await admin.html(SETTINGS);
    const { etag } = await storedPolicy(admin);
    expect(inputValue(html, "etag")).toBe(etag);
    expect(html).toContain('<a href="/__stepgate/admin/settings" aria-current="page">Security settings</a>');
    expect(inputValue(html, "lockout.lockSeconds")).toBe("600");
    expect(inputValue(html, "branding.color")).toBe("#aa3300");
    expect(html).toMatch(/id="s-enforcement-per_user" name="enforcement" value="per_user" checked/);
    // Every standard operation has its checkbox; only the policy's withdraw is ticked.
    for (const operation of ["login", "deposit", "withdraw", "transfer", "prop_challenge_fee", "trading_competition_fee", "change_password", "update_email"]) {
      expect(html, operation).toContain(`id="operation-${operation}"`);
      expect(html.includes(`id="s-operations-${operation}-enabled" name="operations.${operation}.enabled" value="1" checked`), operation).toBe(
        operation === "withdraw",
      );
    }
    // Each fieldset has its legend; the routes are under "Advanced".
    expect(html).toContain("<legend>Wrong answers</legend>");
    expect(html).toContain("<summary>Advanced: routes</summary>");
    expect(html).toContain("POST /wallet/withdraw\nPOST /api/withdraw</textarea>");
    expect(html).toContain('<p class="status" id="status">Required for chosen users</p>');
  });

  it("turns on mandatory 2FA for withdrawals only: exactly that is stored, deposits pass and withdrawals ask for a second factor", async () => {
    const admin = await aConsoleAdmin({ enabled: false, operations: {} });
    const before = await storedPolicy(admin);
    const saved = await save(admin, {
      enabled: TICKED,
      enforcement: "required",
      "operations.withdraw.enabled": TICKED,
      "operations.withdraw.routes": "POST /echo/withdraw",
    });
    expect(saved.status).toBe(303);
    expect(saved.headers.get("Location")).toBe(`${ACTION}?saved`);

    const after = await storedPolicy(admin);
    expect(after.etag).not.toBe(before.etag);
    // The seeded policy as stored (every default filled in) against the saved one.
    expect(policyChanges(PolicySchema.parse(before.policy), after.policy).map((change) => change.path)).toEqual([
      "/enabled",
      "/enforcement",
      "/enforcementChangedAt",
      "/operations/withdraw",
    ]);
    // A first tick: the routes as edited, fresh every time (money movement), bound to the request by default.
    expect(after.policy.operations.withdraw).toEqual({ enabled: true, routes: ["POST /echo/withdraw"], exempt: [], maxAge: 0, display: [] });
    expect(await admin.html(`${SETTINGS}?saved`)).toContain('id="notice">Saved.');

    const token = await aSession({ sub: "fresh-user", sid: "fresh-1" });
    const deposit = await send(`${admin.base}/echo/deposit`, { method: "POST", headers: sessionHeaders(token), body: '{"amount":5}' });
    expect(deposit.status).toBe(200);
    const withdrawal = await send(`${admin.base}/echo/withdraw`, { method: "POST", headers: sessionHeaders(token), body: '{"amount":5}' });
    expect(withdrawal.status).toBe(401);
    expect(await withdrawal.json()).toMatchObject({ code: "enrollment_required", operation: "withdraw" });
  });

  it("gives a standard operation its usual routes on a first tick, and keeps an unticked one with its settings", async () => {
    const admin = await aConsoleAdmin({ operations: { withdraw: { routes: ["POST /wallet/withdraw"], maxAge: 0 } } });
    expect((await save(admin, { "operations.deposit.enabled": TICKED, "operations.withdraw.enabled": UNTICKED })).status).toBe(303);
    const { policy } = await storedPolicy(admin);
    expect(policy.operations.deposit).toMatchObject({ enabled: true, routes: ["POST /deposit", "POST /api/deposit"], maxAge: 0 });
    expect(policy.operations.withdraw).toMatchObject({ enabled: false, routes: ["POST /wallet/withdraw"] });
    // Operations never ticked stay out of the policy.
    expect(Object.keys(policy.operations).sort()).toEqual(["deposit", "withdraw"]);
  });

  it("changes an operation's freshness and keeps what the form does not show of it", async () => {
    const withdraw = {
      routes: ["POST /wallet/withdraw"],
      maxAge: 0,
      formatSuffixes: false,
      display: [{ field: "amount", label: { en: "Amount", de: "Betrag" }, format: "money" as const, currencyField: "currency", required: true }],
    };
    const admin = await aConsoleAdmin({ operations: { withdraw } });
    expect(
      (await save(admin, { "operations.withdraw.maxAge": "custom", "operations.withdraw.maxAge-custom": "90", "operations.withdraw.display": "amount\niban" }))
        .status,
    ).toBe(303);
    const { policy } = await storedPolicy(admin);
    expect(policy.operations.withdraw).toMatchObject({ maxAge: 90, formatSuffixes: false, display: [withdraw.display[0], "iban"] });
    // The identity, the origin, the admins and the rest are untouched.
    expect(policy.identity).toMatchObject({ algorithm: "HS256", cookie: "portal_session", header: "X-Portal-Token" });
  });

  it("turns on the escalating lockout and the new-location check, with the lockout's trade-off beside it", async () => {
    const admin = await aConsoleAdmin({ trustedDevices: { enabled: true } });
    const html = await admin.html(SETTINGS);
    expect(inputValue(html, "lockout.maxTemporaryLockouts")).toBe("0");
    expect(inputValue(html, "lockout.temporaryLockoutPeriodSeconds")).toBe("86400");
    expect(html).toContain("Whoever holds a user&#39;s session can lock its owner out this way.");
    expect(html).toContain("At sign-in from a new country or network, ask for a second factor even on a trusted device");
    const saved = await save(admin, { "lockout.maxTemporaryLockouts": "3", "lockout.temporaryLockoutPeriodSeconds": "3600", "login.newLocation": TICKED });
    expect(saved.status).toBe(303);
    const { policy } = await storedPolicy(admin);
    expect(policy.lockout).toMatchObject({ maxTemporaryLockouts: 3, temporaryLockoutPeriodSeconds: 3_600 });
    expect(policy.login).toEqual({ newLocation: true });
  });

  it("saves nothing when nothing changed", async () => {
    const admin = await aConsoleAdmin();
    const before = await storedPolicy(admin);
    const saved = await save(admin, {});
    expect(saved.headers.get("Location")).toBe(`${ACTION}?unchanged`);
    expect((await storedPolicy(admin)).etag).toBe(before.etag);
  });

  it("brings invalid input back on the form, each error beside its field and in a summary, and writes nothing", async () => {
    const admin = await aConsoleAdmin();
    const before = await storedPolicy(admin);
    const kvBefore = await env.POLICY.get(kvKeys.policy(admin.tenantId));
    const refused = await save(admin, {
      "lockout.lockSeconds": "-5",
      "branding.color": "blue",
      "operations.withdraw.maxAge": "custom",
      "operations.withdraw.maxAge-custom": "soon",
      "operations.withdraw.routes": "POST /wallet/withdraw\nwithdraw please",
    });
    expect(refused.status).toBe(422);
    const html = await refused.text();
    // Beside each field, tied to its input.
    expect(html).toMatch(
      /id="s-lockout-lockSeconds" name="lockout.lockSeconds" value="-5"[^>]*aria-describedby="s-lockout-lockSeconds-error" aria-invalid="true"/,
    );
    expect(html).toContain('<p class="error" id="s-lockout-lockSeconds-error">Enter a whole number from 1 to 86,400.</p>');
    expect(html).toContain('value="blue"');
    expect(html).toContain('<p class="error" id="s-branding-color-error">Enter a colour as # and six hexadecimal digits, like #1f6feb.</p>');
    expect(html).toMatch(/name="operations.withdraw.maxAge-custom" value="soon"/);
    expect(html).toContain('<p class="error" id="s-operations-withdraw-maxAge-error">Enter a whole number from 0 to 86,400.</p>');
    // An error in the routes opens "Advanced".
    expect(html).toMatch(/<details open="">\s*<summary>Advanced: routes<\/summary>/);
    expect(html).toContain("POST /wallet/withdraw\nwithdraw please</textarea>");
    // The summary links to each field.
    const summary = /<div class="error summary" role="alert" id="error-summary"[\s\S]*?<\/div>/.exec(html)![0];
    for (const id of ["s-lockout-lockSeconds", "s-branding-color", "s-operations-withdraw-maxAge", "s-operations-withdraw-routes"])
      expect(summary).toContain(`href="#${id}"`);
    // Still the version it was loaded from.
    expect(inputValue(html, "etag")).toBe(before.etag);
    expect((await storedPolicy(admin)).etag).toBe(before.etag);
    expect(await env.POLICY.get(kvKeys.policy(admin.tenantId))).toBe(kvBefore);
  });

  it("lists in the summary a refusal of something the form does not show", async () => {
    const admin = await aConsoleAdmin();
    // Written by hand, outside the API: the stored policy names another tenant's secret kind for the session key.
    const { policy } = await storedPolicy(admin);
    await env.POLICY.put(kvKeys.policy(admin.tenantId), JSON.stringify({ ...policy, identity: { ...policy.identity, secretRef: "TENANT_X_TWILIO_TOKEN" } }));
    const refused = await save(admin, { "lockout.maxAttempts": "6" });
    expect(refused.status).toBe(422);
    const html = await refused.text();
    expect(html).toContain("A setting this form does not show was refused: <code>#/identity/secretRef</code>");
  });

  it("shows an admin who may only view the settings every field disabled, with the reason, and refuses their save", async () => {
    const admin = await aConsoleAdmin({}, ["policy:read"]);
    const html = await admin.html(SETTINGS);
    expect(html).toContain('<p class="card" id="read-only">Your role can view but not change security settings.</p>');
    expect(html).toContain('<fieldset disabled="" aria-describedby="read-only">');
    expect(html).not.toContain("Save settings");
    const before = await storedPolicy(admin);
    const refused = await admin.post(SETTINGS, { etag: before.etag, "lockout.maxAttempts": "9" });
    expect(refused.status).toBe(403);
    expect((await storedPolicy(admin)).etag).toBe(before.etag);
  });

  it("is not offered to an admin without policy:read", async () => {
    const admin = await aConsoleAdmin({}, ["users:read"]);
    expect(await admin.html("/")).not.toContain(ACTION);
    expect((await admin.get(SETTINGS)).status).toBe(403);
  });

  it("refuses a save with a forged CSRF token or from another site, writing nothing", async () => {
    const admin = await aConsoleAdmin();
    const before = await storedPolicy(admin);
    const fields = asRecord(edited(formFields(await admin.html(SETTINGS), ACTION), { "lockout.maxAttempts": "9" }));
    expect((await admin.post(SETTINGS, { ...fields, csrf: "forged" })).status).toBe(403);
    expect((await admin.post(SETTINGS, fields, { Origin: "https://evil.test" })).status).toBe(403);
    expect((await storedPolicy(admin)).etag).toBe(before.etag);
  });

  it("records the save in the policy's history and the audit trail with the admin, and dates the status line", async () => {
    const admin = await aConsoleAdmin({ enabled: false });
    await storedThroughApi(admin);
    const key = await aTenantKey(admin.base, ["policy:read", "policy:write"]);
    const keyAdmin = await signedIn(admin.base, admin.tenantId, key.key);
    expect((await save(keyAdmin, { enabled: TICKED, enforcement: "required" })).status).toBe(303);

    const history = await adminGet<{ versions: Array<{ actor: string; changes: Array<{ path: string }> }> }>(
      `${admin.base}/__stepgate/admin/v1/policy/history?limit=1`,
    );
    expect(history.versions[0]).toMatchObject({ actor: `key:${key.id}` });
    expect(history.versions[0]!.changes.map((change) => change.path)).toEqual(["/enabled", "/enforcement", "/enforcementChangedAt"]);
    const audit = await adminGet<{ entries: Array<{ type: string; actor: string }> }>(`${admin.base}/__stepgate/admin/v1/audit?type=policy.changed`);
    expect(audit.entries[0]).toMatchObject({ type: "policy.changed", actor: `key:${key.id}` });

    const status = /<p class="status" id="status">([\s\S]*?)<\/p>/.exec(await keyAdmin.html(SETTINGS))![1]!;
    expect(status).toMatch(/^Required since .+ by the API key <code>[\w-]+<\/code>$/);
    expect(status).toContain(key.id);
  });

  it("names the portal admin who last turned 2FA on in the status line", async () => {
    const admin = await aConsoleAdmin({ enabled: false });
    const current = await tenantState(env, admin.tenantId).currentPolicy();
    const { policy } = await storedPolicy(admin);
    // As the settings page of a portal admin signed in as alice would store it.
    await storePolicy(
      env,
      admin.tenantId,
      current,
      { ...policy, enabled: true, enforcement: "required" },
      { actor: "user:alice", origin: { ip: null, userAgent: null } },
    );
    const status = /<p class="status" id="status">([\s\S]*?)<\/p>/.exec(await admin.html(SETTINGS))![1]!;
    expect(status).toMatch(/^Required since .+ by <bdi>alice<\/bdi>$/);
  });
});
