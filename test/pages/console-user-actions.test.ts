/**
 * One user in the console: their page (factors, backup codes, trusted devices, lockout,
 * requirement, recent activity) and the actions on them — reset through a confirmation, unlock,
 * require / exempt / follow the policy, revoke a device — each checked for scope and CSRF,
 * changing nothing when refused, and audited with the admin who acted.
 */
import { describe, expect, it } from "vitest";
import type { PolicyInput } from "../../src/config/policy-schema";
import { adminGet, aTenantKey, usersSync } from "../support/admin";
import { aSession, send } from "../support/builders";
import { aConsoleAdmin, type ConsoleAdmin, signedIn } from "../support/console";
import { lockOver } from "../support/lockout";
import { enrollTotpViaApi, postJson, verify } from "../support/step-up";

const usersPolicy: Partial<PolicyInput> = {
  operations: { login: { routes: ["* /*"], maxAge: 3600 } },
  trustedDevices: { enabled: true, days: 30, max: 5 },
  lockout: { maxAttempts: 2, windowSeconds: 900, lockSeconds: 900 },
};

type Details = {
  factors: unknown[];
  backupCodesLeft: number;
  devices: Array<{ id: string }>;
  lockedUntil: string | null;
  lockedUntilUnlock: boolean;
  requiredByAdmin: boolean | null;
};

/** `sub` enrolled with an app, who verified with a backup code and trusted their browser. */
async function anEnrolledUser(admin: ConsoleAdmin, sub: string): Promise<{ token: string }> {
  const token = await aSession({ sub, sid: `${sub}-1` });
  const { backupCodes } = await enrollTotpViaApi(admin.base, token);
  const { challengeId } = await (await postJson(`${admin.base}/echo/home`, token, {})).json<{ challengeId: string }>();
  const verified = await postJson(`${admin.base}/__stepgate/api/challenges/${challengeId}/verify`, token, {
    factor: "backup_code",
    code: backupCodes[0],
    trustDevice: true,
  });
  expect(verified.status).toBe(200);
  await usersSync(admin.tenantId, sub);
  return { token };
}

/** `sub` locked out after two wrong codes. */
async function aLockedUser(admin: ConsoleAdmin, sub: string): Promise<void> {
  const token = await aSession({ sub });
  await enrollTotpViaApi(admin.base, token);
  const { challengeId } = await (await postJson(`${admin.base}/echo/home`, token, {})).json<{ challengeId: string }>();
  for (let i = 0; i < 2; i++) await verify(admin.base, token, challengeId, "totp", "000000");
  await usersSync(admin.tenantId, sub);
}

const details = (admin: ConsoleAdmin, userId: string) => adminGet<Details>(`${admin.base}/__stepgate/admin/v1/users/${encodeURIComponent(userId)}`);
const auditOf = async (admin: ConsoleAdmin, userId: string, type: string) =>
  (await adminGet<{ entries: Array<{ actor: string | null }> }>(`${admin.base}/__stepgate/admin/v1/audit?user=${userId}&type=${type}`)).entries;

describe("a user's page", () => {
  it("shows the user's factors, backup codes left, trusted devices, lockout, requirement and recent activity", async () => {
    const admin = await aConsoleAdmin(usersPolicy);
    await anEnrolledUser(admin, "fio");
    const html = await admin.html("/users/fio");
    expect(html).toContain("<title>User fio");
    expect(html).toContain('<dd id="status">Enrolled</dd>');
    expect(html).toMatch(/<li data-factor="totp"><span>Authenticator app<\/span><span class="muted">Added [^<]+<\/span><\/li>/);
    expect(html).toContain('<p id="backup-left">Backup codes left: 9</p>');
    expect(html).toMatch(/<li data-device="[\w-]+">[\s\S]*?action="\/__stepgate\/admin\/users\/fio\/devices\/[\w-]+\/revoke"/);
    expect(html).toContain('<p id="lock-state">Not locked out.</p>');
    expect(html).toMatch(/<input type="radio" name="required" value="policy" checked=""/);
    expect(html).toContain('href="/__stepgate/admin/users/fio/reset"');
    expect(html).toMatch(/<ul class="log" id="activity">[\s\S]*Device trusted[\s\S]*Factor added \(Authenticator app\)/);
    expect(html).toContain('<a href="/__stepgate/admin/users" aria-current="page">Users</a>');
  });

  it("answers 404 for a user stepgate has not seen, and acts on no such user", async () => {
    const admin = await aConsoleAdmin(usersPolicy);
    const page = await admin.get("/users/ghost");
    expect(page.status).toBe(404);
    expect(await page.text()).toContain("stepgate has not seen the user ghost.");
    expect((await admin.get("/users/ghost/reset")).status).toBe(404);
    for (const action of ["reset", "unlock", "devices/d1/revoke"]) expect((await admin.post(`/users/ghost/${action}`, {})).status, action).toBe(404);
    expect((await admin.post("/users/ghost/requirement", { required: "require" })).status).toBe(404);
    expect((await send(`${admin.base}/__stepgate/admin/v1/users/ghost`, { headers: { Authorization: "Bearer test-admin-key" } })).status).toBe(404);
    expect(await adminGet(`${admin.base}/__stepgate/admin/v1/users/counts`)).toMatchObject({ total: 0 });
  });

  it("takes the user id from the path decoded once, as the API does", async () => {
    const admin = await aConsoleAdmin(usersPolicy);
    const odd = "a/b%c d";
    await send(`${admin.base}/echo/home`, { headers: { Cookie: `portal_session=${await aSession({ sub: odd })}` } });
    await usersSync(admin.tenantId, odd);
    const listing = await admin.html("/users");
    expect(listing).toContain('href="/__stepgate/admin/users/a%2Fb%25c%20d"');
    expect(await admin.html("/users/a%2Fb%25c%20d")).toContain("<title>User a/b%c d");
  });
});

describe("resetting a user", () => {
  it("asks first, naming the user and saying no one else is affected; then resets only that user", async () => {
    const admin = await aConsoleAdmin(usersPolicy);
    await anEnrolledUser(admin, "gil");
    await anEnrolledUser(admin, "hoa");
    const confirm = await admin.html("/users/gil/reset");
    expect(confirm).toContain("<h1>Reset two-factor verification of gil?</h1>");
    expect(confirm).toContain("Only this account is affected: no one else&#39;s factors change.");
    expect(confirm).toMatch(/<form method="post" action="\/__stepgate\/admin\/users\/gil\/reset">/);
    // Opening the confirmation changes nothing.
    expect((await details(admin, "gil")).factors).toHaveLength(1);

    const reset = await admin.post("/users/gil/reset", {});
    expect(reset.status).toBe(303);
    expect(reset.headers.get("Location")).toBe("/__stepgate/admin/users/gil?done=reset");
    expect(await admin.html("/users/gil?done=reset")).toContain('id="notice">Two-factor verification of gil was reset. No other account was changed.');
    expect(await details(admin, "gil")).toMatchObject({ factors: [], backupCodesLeft: 0, devices: [] });
    expect(await details(admin, "hoa")).toMatchObject({ backupCodesLeft: 9, devices: [expect.anything()] });
    expect((await details(admin, "hoa")).factors).toHaveLength(1);
    expect(await auditOf(admin, "gil", "user.reset")).toEqual([expect.objectContaining({ actor: "bootstrap" })]);
    expect(await auditOf(admin, "hoa", "user.reset")).toEqual([]);
  });
});

describe("unlocking, the requirement and trusted devices", () => {
  it("unlocks a locked-out user", async () => {
    const admin = await aConsoleAdmin(usersPolicy);
    await aLockedUser(admin, "dan");
    const locked = await admin.html("/users/dan");
    expect(locked).toMatch(/<p id="lock-state">Locked out after wrong codes until [^<]+\.<\/p>/);
    expect(locked).toContain('action="/__stepgate/admin/users/dan/unlock"');
    const unlocked = await admin.post("/users/dan/unlock", {});
    expect(unlocked.status).toBe(303);
    expect(unlocked.headers.get("Location")).toBe("/__stepgate/admin/users/dan?done=unlocked");
    expect((await details(admin, "dan")).lockedUntil).toBeNull();
    expect(await admin.html("/users/dan?done=unlocked")).toContain('id="notice">dan is unlocked.');
    expect(await auditOf(admin, "dan", "lockout.cleared")).toEqual([expect.objectContaining({ actor: "bootstrap" })]);
  });

  it("shows a user locked until an admin unlocks (page, table, filter) and unlocks them", async () => {
    const admin = await aConsoleAdmin({ ...usersPolicy, lockout: { maxAttempts: 2, windowSeconds: 900, lockSeconds: 900, maxTemporaryLockouts: 1 } });
    const token = await aSession({ sub: "kai" });
    await enrollTotpViaApi(admin.base, token);
    await lockOver(admin, { sub: "kai", token }, { locks: 2, maxAttempts: 2, path: "/echo/home" });
    await aLockedUser(admin, "lea");
    await usersSync(admin.tenantId, "kai", "lea");

    const page = await admin.html("/users/kai");
    expect(page).toContain('<p id="lock-state">Locked out after repeated lockouts, until an administrator unlocks.</p>');
    expect(page).toContain('action="/__stepgate/admin/users/kai/unlock"');
    expect(page).toContain("Locked until unlocked, after repeated lockouts");
    const table = await admin.html("/users");
    expect(/<tr data-user="kai">[\s\S]*?<\/tr>/.exec(table)![0]).toContain("<td>Until an administrator unlocks</td>");
    expect(/<tr data-user="lea">[\s\S]*?<\/tr>/.exec(table)![0]).toMatch(/<td>Until [^<]+<\/td>/);
    expect(table).toContain('<option value="locked_until_unlock">Locked until unlocked</option>');
    const filtered = await admin.html("/users?status=locked_until_unlock");
    expect([...filtered.matchAll(/<tr data-user="([^"]+)"/g)].map((m) => m[1])).toEqual(["kai"]);
    expect(filtered).toContain('<option value="locked_until_unlock" selected="">Locked until unlocked</option>');

    expect((await admin.post("/users/kai/unlock", {})).status).toBe(303);
    expect(await details(admin, "kai")).toMatchObject({ lockedUntil: null, lockedUntilUnlock: false });
    expect(await admin.html("/users/kai?done=unlocked")).toContain('<p id="lock-state">Not locked out.</p>');
    expect(await admin.html("/users?status=locked_until_unlock")).not.toContain('<tr data-user="kai">');
  });

  it("stores require, exempt and follow the policy, and refuses anything else without storing it", async () => {
    const admin = await aConsoleAdmin(usersPolicy);
    await anEnrolledUser(admin, "eli");
    for (const [choice, stored] of [
      ["require", true],
      ["exempt", false],
      ["policy", null],
    ] as const) {
      const saved = await admin.post("/users/eli/requirement", { required: choice });
      expect(saved.status, choice).toBe(303);
      expect(saved.headers.get("Location")).toBe("/__stepgate/admin/users/eli?done=requirement");
      expect((await details(admin, "eli")).requiredByAdmin, choice).toBe(stored);
    }
    expect(await admin.html("/users/eli?done=requirement")).toContain("The two-factor requirement of eli is saved.");
    await admin.post("/users/eli/requirement", { required: "require" });
    const refused = await admin.post("/users/eli/requirement", { required: "maybe" });
    expect(refused.status).toBe(400);
    const html = await refused.text();
    expect(html).toContain('<fieldset aria-describedby="requirement-error">');
    expect(html).toContain("Choose one of the three options.");
    expect((await details(admin, "eli")).requiredByAdmin).toBe(true);
    expect((await auditOf(admin, "eli", "requirement.set")).map((e) => e.actor)).toEqual(["bootstrap", "bootstrap", "bootstrap", "bootstrap"]);
    await usersSync(admin.tenantId, "eli");
    expect([...(await admin.html("/users?required=true")).matchAll(/<tr data-user="([^"]+)"/g)].map((m) => m[1])).toEqual(["eli"]);
  });

  it("revokes a trusted device, and says so when it was gone already", async () => {
    const admin = await aConsoleAdmin(usersPolicy);
    await anEnrolledUser(admin, "ivo");
    const revoke = /action="\/__stepgate\/admin(\/users\/ivo\/devices\/[\w-]+\/revoke)"/.exec(await admin.html("/users/ivo"))![1]!;
    const revoked = await admin.post(revoke, {});
    expect(revoked.status).toBe(303);
    expect(revoked.headers.get("Location")).toBe("/__stepgate/admin/users/ivo?done=device");
    expect((await details(admin, "ivo")).devices).toEqual([]);
    expect(await admin.html("/users/ivo?done=device")).toContain("That device will ask ivo for a code again.");
    expect((await admin.post(revoke, {})).headers.get("Location")).toBe("/__stepgate/admin/users/ivo?done=device-gone");
    expect(await auditOf(admin, "ivo", "device.revoked")).toEqual([expect.objectContaining({ actor: "bootstrap" })]);
  });
});

describe("who may act on users", () => {
  /** Every action on `sub` (the device by its path), with `fields` added to each form. */
  const actions = (devicePath: string) =>
    [
      ["/users/jon/reset", {}],
      ["/users/jon/unlock", {}],
      ["/users/jon/requirement", { required: "exempt" }],
      [devicePath, {}],
    ] as const;

  it("shows an admin who may only read users the page without its actions, with the reason, and refuses their posts", async () => {
    const owner = await aConsoleAdmin(usersPolicy);
    await aLockedUser(owner, "jon");
    await owner.post("/users/jon/requirement", { required: "require" });
    const withDevice = await anEnrolledUser(owner, "kim");
    expect(withDevice).toBeDefined();
    const reader = await signedIn(owner.base, owner.tenantId, (await aTenantKey(owner.base, ["users:read"])).key);
    const html = await reader.html("/users/jon");
    expect(html).toContain("Your role can view users but not change them.");
    expect(html).not.toMatch(/<form method="post" action="\/__stepgate\/admin\/users\//);
    expect(html).not.toContain('href="/__stepgate/admin/users/jon/reset"');
    expect(html).toContain('<p id="requirement">Required</p>');
    const kimPage = await reader.html("/users/kim");
    expect(kimPage).toMatch(/<li data-device="[\w-]+">/);
    expect(kimPage).not.toContain("/revoke");
    expect((await reader.get("/users/jon/reset")).status).toBe(403);

    const device = /action="\/__stepgate\/admin(\/users\/kim\/devices\/[\w-]+\/revoke)"/.exec(await owner.html("/users/kim"))![1]!;
    for (const [path, fields] of [...actions(device)]) {
      const refused = await reader.post(path, fields);
      expect(refused.status, path).toBe(403);
      expect(await refused.text()).toContain("Your role does not allow this part of the console.");
    }
    expect(await details(owner, "jon")).toMatchObject({ factors: [expect.anything()], requiredByAdmin: true, lockedUntil: expect.any(String) });
    expect((await details(owner, "kim")).devices).toHaveLength(1);
  });

  it("refuses every action with a bad CSRF token or from another site, changing nothing", async () => {
    const admin = await aConsoleAdmin(usersPolicy);
    await aLockedUser(admin, "jon");
    await anEnrolledUser(admin, "kim");
    const device = /action="\/__stepgate\/admin(\/users\/kim\/devices\/[\w-]+\/revoke)"/.exec(await admin.html("/users/kim"))![1]!;
    for (const [path, fields] of [...actions(device)]) {
      expect((await admin.post(path, { ...fields, csrf: "forged" })).status, `${path} forged`).toBe(403);
      expect((await admin.post(path, fields, { Origin: "https://evil.test" })).status, `${path} cross-site`).toBe(403);
    }
    expect(await details(admin, "jon")).toMatchObject({ factors: [expect.anything()], requiredByAdmin: null, lockedUntil: expect.any(String) });
    expect((await details(admin, "kim")).devices).toHaveLength(1);
    expect(await auditOf(admin, "jon", "user.reset")).toEqual([]);
  });

  it("audits each action with the key the console session was opened with", async () => {
    const owner = await aConsoleAdmin(usersPolicy);
    await aLockedUser(owner, "jon");
    const { id, key } = await aTenantKey(owner.base, ["users:read", "users:write"]);
    const support = await signedIn(owner.base, owner.tenantId, key);
    expect((await support.post("/users/jon/unlock", {})).status).toBe(303);
    expect((await support.post("/users/jon/requirement", { required: "exempt" })).status).toBe(303);
    expect((await support.post("/users/jon/reset", {})).status).toBe(303);
    for (const type of ["lockout.cleared", "requirement.set", "user.reset"]) {
      expect(await auditOf(owner, "jon", type), type).toEqual([expect.objectContaining({ actor: `key:${id}` })]);
    }
    expect(await support.html("/users/jon")).toMatch(/Two-factor verification reset by an administrator, by <code>key:/);
  });
});
