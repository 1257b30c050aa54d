/**
 * Two admins editing the security settings at once: the one who saves second gets the conflict
 * view (what the other changed, field by field, with who and when, beside their own edits) and
 * nothing of theirs is written until they apply their changes on top. And the provider secrets:
 * write-only, never in a page, blank keeps, a value replaces.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { revealCredential } from "../../src/config/credentials";
import { aTenantKey, keyHeaders } from "../support/admin";
import { send } from "../support/builders";
import { aConsoleAdmin, type ConsoleAdmin } from "../support/console";
import { asRecord, edited, formFields } from "../support/console-form";
import { SETTINGS, SETTINGS_ACTION, storedPolicy, storedThroughApi } from "../support/console-settings";

const ACTION = SETTINGS_ACTION;

/** Another admin's change through the admin API, with their own key. */
async function otherAdminPatches(admin: ConsoleAdmin, patch: unknown): Promise<string> {
  const other = await aTenantKey(admin.base, ["policy:read", "policy:write"], "other admin");
  const { etag } = await storedPolicy(admin);
  const response = await send(`${admin.base}/__stepgate/admin/v1/policy`, {
    method: "PATCH",
    headers: keyHeaders(other.key, { "If-Match": etag, "Content-Type": "application/merge-patch+json" }),
    body: JSON.stringify(patch),
  });
  expect(response.status).toBe(200);
  return other.id;
}

describe("two admins saving the security settings", () => {
  it("shows the second the other's change beside theirs, writes nothing, and applies theirs on top when asked", async () => {
    const admin = await aConsoleAdmin();
    await storedThroughApi(admin);
    const loaded = formFields(await admin.html(SETTINGS), ACTION);
    const otherId = await otherAdminPatches(admin, { lockout: { maxAttempts: 7 } });
    const afterOther = await storedPolicy(admin);

    const conflict = await admin.post(SETTINGS, asRecord(edited(loaded, { "sendLimits.perUserPerHour": "9", "lockout.maxAttempts": "4" })));
    expect(conflict.status).toBe(409);
    const html = await conflict.text();
    expect((await storedPolicy(admin)).etag).toBe(afterOther.etag);
    const theirs = /<section class="card" aria-labelledby="theirs-heading" id="theirs">([\s\S]*?)<\/section>/.exec(html)![1]!;
    expect(theirs).toContain(`Saved by the API key <code>${otherId}</code> at `);
    expect(theirs).toContain("Wrong answers · Wrong answers before a user is locked: <code>5</code> → <code>7</code>");
    const mine = /<section class="card" aria-labelledby="mine-heading" id="mine">([\s\S]*?)<\/section>/.exec(html)![1]!;
    expect(mine).toContain("Codes sent · Per user per hour: <code>9</code>");
    expect(mine).toContain(
      "Wrong answers · Wrong answers before a user is locked: <code>4</code><strong> (also changed by the other admin: yours replaces theirs)</strong>",
    );

    const applied = await admin.post(SETTINGS, asRecord(formFields(html, ACTION)));
    expect(applied.status).toBe(303);
    const { policy } = await storedPolicy(admin);
    expect(policy.sendLimits.perUserPerHour).toBe(9);
    expect(policy.lockout.maxAttempts).toBe(4);
  });

  it("keeps the other admin's change where the second admin changed something else", async () => {
    const admin = await aConsoleAdmin();
    await storedThroughApi(admin);
    const loaded = formFields(await admin.html(SETTINGS), ACTION);
    await otherAdminPatches(admin, { branding: { name: "Acme Markets" }, operations: { withdraw: { maxAge: 60 } } });
    const conflict = await admin.post(SETTINGS, asRecord(edited(loaded, { "operations.withdraw.bindRequest": ["0"] })));
    expect(conflict.status).toBe(409);
    expect((await admin.post(SETTINGS, asRecord(formFields(await conflict.text(), ACTION)))).status).toBe(303);
    const { policy } = await storedPolicy(admin);
    expect(policy.branding.name).toBe("Acme Markets");
    expect(policy.operations.withdraw).toMatchObject({ maxAge: 60, bindRequest: false });
  });

  it("brings an applied change that is refused back on the whole form, against the new version", async () => {
    const admin = await aConsoleAdmin();
    await storedThroughApi(admin);
    const loaded = formFields(await admin.html(SETTINGS), ACTION);
    await otherAdminPatches(admin, { lockout: { maxAttempts: 7 } });
    const conflict = await admin.post(SETTINGS, asRecord(edited(loaded, { "lockout.lockSeconds": "0" })));
    const refused = await admin.post(SETTINGS, asRecord(formFields(await conflict.text(), ACTION)));
    expect(refused.status).toBe(422);
    const html = await refused.text();
    expect(html).toContain('<p class="error" id="s-lockout-lockSeconds-error">');
    expect(html).toMatch(/name="lockout.maxAttempts" value="7"/);
    expect(html).toMatch(/name="lockout.lockSeconds" value="0"/);
    expect(html).toContain(`name="etag" value="${(await storedPolicy(admin)).etag.replace(/"/g, "&quot;")}"`);
  });
});

describe("provider secrets on the settings form", () => {
  const email = { email: { enabled: true, from: "Acme <alerts@acme.test>" } };

  it("never shows a stored secret, keeps it when left blank and replaces it when typed", async () => {
    const admin = await aConsoleAdmin({ factors: email });
    // Resend is refused without its key, beside the field.
    const missing = await admin.post(SETTINGS, asRecord(edited(formFields(await admin.html(SETTINGS), ACTION), { "factors.email.provider": "resend" })));
    expect(missing.status).toBe(422);
    expect(await missing.text()).toContain('<p class="error" id="s-factors-email-apiKey-error">');

    const typed = await admin.post(
      SETTINGS,
      asRecord(edited(formFields(await admin.html(SETTINGS), ACTION), { "factors.email.provider": "resend", "factors.email.apiKey": "re_first_secret" })),
    );
    expect(typed.status).toBe(303);
    const first = (await storedPolicy(admin)).policy.factors.email.apiKey;
    expect(first).toEqual({ sealed: expect.stringMatching(/^v1\./) });
    expect(await revealCredential(env, admin.tenantId, first, "resendApiKey")).toBe("re_first_secret");

    const page = await admin.html(SETTINGS);
    expect(page).not.toContain("re_first_secret");
    expect(page).not.toContain(first.sealed);
    expect(page).toContain("A secret is stored, sealed; it is never shown.");
    expect(page).toMatch(/type="password" id="s-factors-email-apiKey" name="factors.email.apiKey" value=""/);

    // Blank keeps it, while something else changes.
    expect((await admin.post(SETTINGS, asRecord(edited(formFields(page, ACTION), { "factors.email.codeLength": "8" })))).status).toBe(303);
    expect((await storedPolicy(admin)).policy.factors.email).toMatchObject({ apiKey: first, codeLength: 8 });

    // A value replaces it; a refused form never echoes it.
    const refused = await admin.post(
      SETTINGS,
      asRecord(edited(formFields(await admin.html(SETTINGS), ACTION), { "factors.email.apiKey": "re_second_secret", "branding.color": "red" })),
    );
    expect(refused.status).toBe(422);
    const refusedPage = await refused.text();
    expect(refusedPage).not.toContain("re_second_secret");
    expect(refusedPage).toContain("Type it again: secrets are never sent back to the page.");
    expect((await storedPolicy(admin)).policy.factors.email.apiKey).toEqual(first);
    expect(
      (await admin.post(SETTINGS, asRecord(edited(formFields(await admin.html(SETTINGS), ACTION), { "factors.email.apiKey": "re_second_secret" })))).status,
    ).toBe(303);
    const second = (await storedPolicy(admin)).policy.factors.email.apiKey;
    expect(second.sealed).not.toBe(first.sealed);
    expect(await revealCredential(env, admin.tenantId, second, "resendApiKey")).toBe("re_second_secret");
  });

  it("asks for a changed secret again on the conflict view instead of carrying it in the page", async () => {
    const admin = await aConsoleAdmin({ factors: email });
    const loaded = formFields(await admin.html(SETTINGS), ACTION);
    await otherAdminPatches(admin, { lockout: { maxAttempts: 7 } });
    const conflict = await admin.post(SETTINGS, asRecord(edited(loaded, { "factors.email.provider": "resend", "factors.email.apiKey": "re_conflict_secret" })));
    expect(conflict.status).toBe(409);
    const html = await conflict.text();
    expect(html).not.toContain("re_conflict_secret");
    expect(html).toContain("Email · Resend API key: a new secret");
    expect(html).toMatch(/<label for="again-factors-email-apiKey">Type the Resend API key again/);
    const applied = await admin.post(SETTINGS, asRecord(edited(formFields(html, ACTION), { "factors.email.apiKey": "re_conflict_secret" })));
    expect(applied.status).toBe(303);
    const { policy } = await storedPolicy(admin);
    expect(await revealCredential(env, admin.tenantId, policy.factors.email.apiKey, "resendApiKey")).toBe("re_conflict_secret");
    expect(policy.lockout.maxAttempts).toBe(7);
  });
});
