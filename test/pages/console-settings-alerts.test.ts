/**
 * The security settings page's "Security alerts to users": the policy's `notifications`, one
 * switch per kind of alert (docs/notifications.md), the operations whose approvals users hear
 * of, and the hourly budget; shown with the policy's defaults, saved through the settings' one
 * write (versioned, audited) and through the conflict view like every other field.
 */
import { describe, expect, it } from "vitest";
import { PolicySchema } from "../../src/config/policy-schema";
import { aTenantKey, keyHeaders } from "../support/admin";
import { adminHeaders, send } from "../support/builders";
import { aConsoleAdmin, type ConsoleAdmin } from "../support/console";
import { asRecord, edited, formFields, TICKED, UNTICKED } from "../support/console-form";
import { SETTINGS, SETTINGS_ACTION, saveSettings, storedPolicy, storedThroughApi } from "../support/console-settings";

const SWITCHES = ["factorAdded", "factorRemoved", "backupCodesRegenerated", "backupCodesLow", "deviceTrusted", "lockout", "adminReset", "newLocation"];

/** Whether the checkbox `name` (with `value`) is ticked in `html`; fails when there is none. */
function ticked(html: string, name: string, value = "1"): boolean {
  const box = new RegExp(`<input type="checkbox" id="[^"]*" name="${name.replace(/[.[\]]/g, "\\$&")}" value="${value}"( checked)?`).exec(html);
  expect(box, `a checkbox ${name}=${value}`).not.toBeNull();
  return box![1] !== undefined;
}

/** The section's fieldset in the page. */
function alertsSection(html: string): string {
  const start = html.indexOf("<legend>Security alerts to users</legend>");
  expect(start, "the alerts' fieldset").toBeGreaterThan(0);
  return html.slice(start, html.indexOf("<legend>Branding</legend>", start));
}

describe("security alerts on the settings page", () => {
  it("shows a policy that never named them with the defaults: every security alert on, approvals off, five of a kind an hour", async () => {
    const admin = await aConsoleAdmin({ operations: { withdraw: { routes: ["POST /wallet/withdraw"], maxAge: 0 } } });
    const section = alertsSection(await admin.html(SETTINGS));
    for (const name of SWITCHES) expect(ticked(section, `notifications.${name}`), name).toBe(true);
    expect(section).toContain("A second factor was added: an authenticator app, a phone, an email address or a passkey");
    // Approvals are offered for every operation the form shows, none ticked.
    for (const operation of ["login", "deposit", "withdraw", "transfer"])
      expect(ticked(section, "notifications.approvals[]", operation), operation).toBe(false);
    expect(section).toMatch(/name="notifications\.perKindPerHour" value="5"/);
  });

  it("shows the policy's own choices", async () => {
    const admin = await aConsoleAdmin({ notifications: { lockout: false, approvals: ["withdraw"], perKindPerHour: 12 } });
    const section = alertsSection(await admin.html(SETTINGS));
    expect(ticked(section, "notifications.lockout")).toBe(false);
    expect(ticked(section, "notifications.factorAdded")).toBe(true);
    expect(ticked(section, "notifications.approvals[]", "withdraw")).toBe(true);
    expect(ticked(section, "notifications.approvals[]", "deposit")).toBe(false);
    expect(section).toMatch(/name="notifications\.perKindPerHour" value="12"/);
  });

  it("turns a switch off: the saved policy has it off, the others as they were, in a new version by the admin", async () => {
    const admin = await aConsoleAdmin();
    await storedThroughApi(admin);
    const before = await storedPolicy(admin);
    const saved = await saveSettings(admin, {
      "notifications.deviceTrusted": UNTICKED,
      "notifications.approvals[]": ["withdraw", "transfer"],
      "notifications.perKindPerHour": "3",
    });
    expect(saved.status).toBe(303);
    expect(saved.headers.get("Location")).toBe(`${SETTINGS_ACTION}?saved`);

    const after = await storedPolicy(admin);
    expect(after.etag).not.toBe(before.etag);
    // The form's operations are in its order (standard ones first), whatever order they were ticked in.
    expect(PolicySchema.parse(after.policy).notifications).toEqual({
      factorAdded: true,
      factorRemoved: true,
      backupCodesRegenerated: true,
      backupCodesLow: true,
      deviceTrusted: false,
      lockout: true,
      adminReset: true,
      newLocation: true,
      approvals: ["withdraw", "transfer"],
      perKindPerHour: 3,
    });
    const section = alertsSection(await admin.html(SETTINGS));
    expect(ticked(section, "notifications.deviceTrusted")).toBe(false);
    expect(ticked(section, "notifications.factorAdded")).toBe(true);

    // Recorded in the policy's history, field by field.
    const history = await send(`${admin.base}/__stepgate/admin/v1/policy/history`, { headers: adminHeaders() });
    const versions = await history.json<{ versions: Array<{ actor: string; changes: Array<{ path: string; from: unknown; to: unknown }> }> }>();
    expect(versions.versions[0]!.actor).toBe("bootstrap");
    expect(versions.versions[0]!.changes).toEqual([
      { path: "/notifications/approvals", from: [], to: ["withdraw", "transfer"] },
      { path: "/notifications/deviceTrusted", from: true, to: false },
      { path: "/notifications/perKindPerHour", from: 5, to: 3 },
    ]);
  });

  it("refuses a budget out of bounds beside its field, and writes nothing", async () => {
    const admin = await aConsoleAdmin();
    const before = await storedPolicy(admin);
    const refused = await saveSettings(admin, { "notifications.perKindPerHour": "0", "notifications.lockout": UNTICKED });
    expect(refused.status).toBe(422);
    const html = await refused.text();
    expect(html).toContain('id="s-notifications-perKindPerHour-error"');
    expect(html).toContain("Security alerts to users · Alerts of one kind per user per hour");
    expect((await storedPolicy(admin)).etag).toBe(before.etag);
  });

  it("keeps an approval of an operation the form does not offer, ticked, when something else is saved", async () => {
    const admin = await aConsoleAdmin({ notifications: { approvals: ["payout"] } });
    const section = alertsSection(await admin.html(SETTINGS));
    expect(ticked(section, "notifications.approvals[]", "payout")).toBe(true);
    expect((await saveSettings(admin, { "notifications.adminReset": UNTICKED })).status).toBe(303);
    const { policy } = await storedPolicy(admin);
    expect(policy.notifications).toMatchObject({ approvals: ["payout"], adminReset: false });
  });

  it("meets another admin's save in the conflict view, and applies the switch on top of it", async () => {
    const admin: ConsoleAdmin = await aConsoleAdmin();
    await storedThroughApi(admin);
    const loaded = formFields(await admin.html(SETTINGS), SETTINGS_ACTION);
    const other = await aTenantKey(admin.base, ["policy:read", "policy:write"], "other admin");
    const { etag } = await storedPolicy(admin);
    const patched = await send(`${admin.base}/__stepgate/admin/v1/policy`, {
      method: "PATCH",
      headers: keyHeaders(other.key, { "If-Match": etag, "Content-Type": "application/merge-patch+json" }),
      body: JSON.stringify({ notifications: { lockout: false } }),
    });
    expect(patched.status).toBe(200);

    const conflict = await admin.post(SETTINGS, asRecord(edited(loaded, { "notifications.factorRemoved": UNTICKED, "notifications.backupCodesLow": TICKED })));
    expect(conflict.status).toBe(409);
    const html = await conflict.text();
    expect(html).toContain("Security alerts to users · Verification was locked after wrong codes: <code>true</code> → <code>false</code>");
    expect(html).toContain("Security alerts to users · A second factor was removed, or the authenticator app replaced: off");
    expect((await storedPolicy(admin)).policy.notifications.factorRemoved).not.toBe(false);

    expect((await admin.post(SETTINGS, asRecord(formFields(html, SETTINGS_ACTION)))).status).toBe(303);
    const { policy } = await storedPolicy(admin);
    expect(policy.notifications).toMatchObject({ lockout: false, factorRemoved: false });
  });
});
