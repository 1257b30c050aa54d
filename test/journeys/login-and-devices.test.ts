import { describe, expect, it } from "vitest";
import { env } from "cloudflare:test";
import { issueGrant } from "../../src/gate/grant";
import { adminGet } from "../support/admin";
import { adminHeaders, aPolicy, aSession, aTenant, send } from "../support/builders";
import { enrollTotpViaApi, postJson, verify } from "../support/step-up";
import { totpCode } from "../support/totp";

const page = { Accept: "text/html" };
const loginPolicy = (overrides: object = {}) =>
  aPolicy({
    operations: {
      login: { routes: ["* /*"], maxAge: 3600 },
      withdraw: { routes: ["POST /echo/withdraw"], maxAge: 0 },
    },
    trustedDevices: { enabled: true, days: 30, max: 2 },
    ...overrides,
  });

const cookieOf = (response: Response, name: string) =>
  response.headers
    .getSetCookie()
    .find((c) => c.startsWith(`${name}=`))
    ?.split(";")[0];

async function get(base: string, cookie: string, path = "/echo/home", accept = page) {
  return send(`${base}${path}`, { headers: { ...accept, Cookie: cookie } });
}

/** Answers the login challenge a page load was sent to, with a backup code; returns the response. */
async function passLogin(base: string, token: string, backupCode: string, trustDevice = false) {
  const stopped = await postJson(`${base}/echo/api-call`, token, {});
  expect(stopped.status).toBe(401);
  const { challengeId, operation } = await stopped.json<{ challengeId: string; operation: string }>();
  expect(operation).toBe("login");
  return postJson(`${base}/__stepgate/api/challenges/${challengeId}/verify`, token, { factor: "backup_code", code: backupCode, trustDevice });
}

/** The cookie header of a session that passed the login step-up (with a backup code). */
async function signedIn(base: string, token: string, backupCode: string): Promise<string> {
  const grant = cookieOf(await passLogin(base, token, backupCode), "__Host-stepgate-grant-login");
  expect(grant).toBeDefined();
  return `portal_session=${token}; ${grant}`;
}

const grantPayload = (cookie: string) => JSON.parse(atob(cookie.split("=")[1]!.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/"))) as { did?: string };

describe("the login operation", () => {
  it("asks an enrolled user once per portal session, on any route, and again for a new session", async () => {
    const { base } = await aTenant(loginPolicy());
    const token = await aSession({ sub: "lea", sid: "s-1" });
    const { backupCodes } = await enrollTotpViaApi(base, token);
    const first = await get(base, `portal_session=${token}`);
    expect(first.status).toBe(303);
    expect(first.headers.get("Location")).toMatch(/^\/__stepgate\/challenge\//);
    const verified = await passLogin(base, token, backupCodes[0]!);
    const grant = cookieOf(verified, "__Host-stepgate-grant-login")!;
    for (const path of ["/echo/home", "/echo/other?x=1"]) expect((await get(base, `portal_session=${token}; ${grant}`, path)).status).toBe(200);
    const newSession = await aSession({ sub: "lea", sid: "s-2" });
    expect((await get(base, `portal_session=${newSession}; ${grant}`)).status).toBe(303);
  });

  it("still asks for the withdrawal's own step-up behind a login grant", async () => {
    const { base } = await aTenant(loginPolicy());
    const token = await aSession({ sub: "max" });
    const { backupCodes } = await enrollTotpViaApi(base, token);
    const grant = cookieOf(await passLogin(base, token, backupCodes[0]!), "__Host-stepgate-grant-login")!;
    const withdraw = await send(`${base}/echo/withdraw`, { method: "POST", headers: { Cookie: `portal_session=${token}; ${grant}` }, body: "{}" });
    expect(withdraw.status).toBe(401);
    expect(await withdraw.json()).toMatchObject({ operation: "withdraw" });
  });
});

describe("enforcement modes", () => {
  it("optional: lets a user without 2FA through everywhere", async () => {
    const { base } = await aTenant(loginPolicy({ enforcement: "optional" }));
    expect((await get(base, `portal_session=${await aSession({ sub: "nia" })}`)).status).toBe(200);
  });

  it("required: makes a user without 2FA enrol at the next page, and the portal's own API cannot be called around it", async () => {
    const { base } = await aTenant(loginPolicy({ enforcement: "required" }));
    const token = await aSession({ sub: "oli" });
    const pageLoad = await get(base, `portal_session=${token}`);
    expect(pageLoad.status).toBe(303);
    expect(pageLoad.headers.get("Location")).toMatch(/^\/__stepgate\/enroll\?challenge=/);
    const api = await send(`${base}/echo/api/balance`, { headers: { Cookie: `portal_session=${token}`, Accept: "application/json" } });
    expect(api.status).toBe(401);
    expect(await api.json()).toMatchObject({ code: "enrollment_required", operation: "login" });
    // Signing out and the portal's sign-in stay reachable.
    expect((await get(base, `portal_session=${token}`, "/logout")).status).toBe(404);
  });

  it("per_user: only users an admin marked required must enrol", async () => {
    const { base } = await aTenant(loginPolicy({ enforcement: "per_user" }));
    const marked = await aSession({ sub: "pam" });
    const unmarked = await aSession({ sub: "quy" });
    const mark = await send(`${base}/__stepgate/admin/v1/users/pam/requirement`, {
      method: "PUT",
      headers: adminHeaders(),
      body: JSON.stringify({ required: true }),
    });
    expect(mark.status).toBe(200);
    expect((await get(base, `portal_session=${marked}`)).status).toBe(303);
    expect((await get(base, `portal_session=${unmarked}`)).status).toBe(200);
    await send(`${base}/__stepgate/admin/v1/users/pam/requirement`, { method: "PUT", headers: adminHeaders(), body: JSON.stringify({ required: null }) });
    expect((await get(base, `portal_session=${marked}`)).status).toBe(200);
  });

  it("refuses a requirement body that is not true, false or null", async () => {
    const { base } = await aTenant(loginPolicy());
    const response = await send(`${base}/__stepgate/admin/v1/users/x/requirement`, {
      method: "PUT",
      headers: adminHeaders(),
      body: JSON.stringify({ required: "yes" }),
    });
    expect(response.status).toBe(400);
    expect((await response.json<{ errors: Array<{ pointer: string }> }>()).errors[0]!.pointer).toBe("#/required");
  });
});

/** Changes the tenant's policy through the admin API, as an admin would. */
async function putPolicy(base: string, change: (p: Record<string, unknown>) => void) {
  const current = await send(`${base}/__stepgate/admin/v1/policy`, { headers: adminHeaders() });
  const policy = await current.json<Record<string, unknown>>();
  change(policy);
  const put = await send(`${base}/__stepgate/admin/v1/policy`, {
    method: "PUT",
    headers: adminHeaders({ "If-Match": current.headers.get("ETag")! }),
    body: JSON.stringify(policy),
  });
  expect(put.status).toBe(200);
  return put.json<{ enforcementChangedAt: string; enrollmentEpoch?: number }>();
}

describe("turning 2FA off and on again", () => {
  it.each([
    [true, 303, /^\/__stepgate\/enroll/],
    [false, 303, /^\/__stepgate\/challenge\//],
  ])("with reenrollOnReenable %s, an enrolled user is sent to %s", async (reenroll, status, location) => {
    const { base } = await aTenant(loginPolicy({ enforcement: "required", reenrollOnReenable: reenroll }));
    const token = await aSession({ sub: "rex" });
    const { backupCodes } = await enrollTotpViaApi(base, token);
    const cookie = await signedIn(base, token, backupCodes[0]!);
    expect((await get(base, cookie)).status).toBe(200);
    const off = await putPolicy(base, (p) => (p.enabled = false));
    expect(Date.parse(off.enforcementChangedAt)).toBeGreaterThan(Date.now() - 60_000);
    expect((await get(base, `portal_session=${token}`)).status).toBe(200);
    const on = await putPolicy(base, (p) => (p.enabled = true));
    expect(on.enrollmentEpoch !== undefined).toBe(reenroll);
    // The login grant from before: void at once with re-enrolment, still good without it.
    const withGrant = await get(base, cookie);
    expect(withGrant.status).toBe(reenroll ? 303 : 200);
    if (reenroll) expect(withGrant.headers.get("Location")).toMatch(/^\/__stepgate\/enroll/);
    const next = await get(base, `portal_session=${token}`);
    expect(next.status).toBe(status);
    expect(next.headers.get("Location")).toMatch(location);
    const me = await (await send(`${base}/__stepgate/api/me`, { headers: { Cookie: `portal_session=${token}` } })).json<{
      enrolled: boolean;
      enforcementChangedAt: string;
    }>();
    expect(me.enrolled).toBe(!reenroll);
    expect(me.enforcementChangedAt).toBe(on.enforcementChangedAt);
  });
});

describe("a challenge opened before 2FA was turned off and on again (reenrollOnReenable)", () => {
  it.each(["totp", "backup_code"])("is void: answered with a %s of the factor enrolled before, it is refused and grants nothing", async (factor) => {
    const { base } = await aTenant(loginPolicy({ enforcement: "required", reenrollOnReenable: true }));
    const token = await aSession({ sub: `vic-${factor}` });
    const { secret, backupCodes } = await enrollTotpViaApi(base, token);
    const opened = await postJson(`${base}/echo/withdraw`, token, { amount: 1 });
    expect(opened.status).toBe(401);
    const { challengeId } = await opened.json<{ challengeId: string }>();
    await putPolicy(base, (p) => (p.enabled = false));
    expect((await putPolicy(base, (p) => (p.enabled = true))).enrollmentEpoch).toBeDefined();
    // Answered before any other request reaches the user's object after the epoch.
    const code = factor === "totp" ? totpCode(secret, Date.now() + 30_000) : backupCodes[0]!;
    const answered = await verify(base, token, challengeId, factor, code);
    expect(answered.status).toBe(404);
    expect(await answered.json()).toMatchObject({ code: "challenge_not_found" });
    expect(answered.headers.getSetCookie()).toEqual([]);
  });
});

describe("trusted devices", () => {
  it("spares the login code on a trusted device in a new session, but not the withdrawal", async () => {
    const { base } = await aTenant(loginPolicy());
    const first = await aSession({ sub: "sue", sid: "d-1" });
    const { backupCodes } = await enrollTotpViaApi(base, first);
    const verified = await passLogin(base, first, backupCodes[0]!, true);
    const device = cookieOf(verified, "__Host-stepgate-device")!;
    expect(verified.headers.getSetCookie().find((c) => c.startsWith("__Host-stepgate-device="))).toMatch(/HttpOnly; Secure; SameSite=Lax/);

    const later = await aSession({ sub: "sue", sid: "d-2" });
    const home = await get(base, `portal_session=${later}; ${device}`);
    expect(home.status).toBe(200);
    const loginGrant = cookieOf(home, "__Host-stepgate-grant-login");
    expect(loginGrant).toBeDefined();
    expect((await get(base, `portal_session=${later}; ${loginGrant}`)).status).toBe(200);
    const withdraw = await send(`${base}/echo/withdraw`, {
      method: "POST",
      headers: { Cookie: `portal_session=${later}; ${device}; ${loginGrant}` },
      body: "{}",
    });
    expect(withdraw.status).toBe(401);
  });

  it("ignores a device cookie moved to another user or tampered with", async () => {
    const { base } = await aTenant(loginPolicy());
    const sue = await aSession({ sub: "ted", sid: "t-1" });
    const { backupCodes } = await enrollTotpViaApi(base, sue);
    const device = cookieOf(await passLogin(base, sue, backupCodes[0]!, true), "__Host-stepgate-device")!;
    const mallory = await aSession({ sub: "mallory" });
    await enrollTotpViaApi(base, mallory);
    expect((await get(base, `portal_session=${mallory}; ${device}`)).status).toBe(303);
    const tampered = device.slice(0, -3) + (device.endsWith("AAA") ? "BBB" : "AAA");
    expect((await get(base, `portal_session=${await aSession({ sub: "ted", sid: "t-2" })}; ${tampered}`)).status).toBe(303);
  });

  it("ends trust when the device is revoked, also for grants it earned, within the re-check bound", async () => {
    const { base, tenantId } = await aTenant(loginPolicy());
    const token = await aSession({ sub: "uri", sid: "u-1" });
    const { backupCodes } = await enrollTotpViaApi(base, token);
    const trusting = await passLogin(base, token, backupCodes[0]!, true);
    const device = cookieOf(trusting, "__Host-stepgate-device")!;
    const ownGrant = cookieOf(trusting, "__Host-stepgate-grant-login")!;
    const signedInCookie = `portal_session=${token}; ${ownGrant}`;
    const devices = await (await send(`${base}/__stepgate/api/devices`, { headers: { Cookie: signedInCookie } })).json<{
      devices: Array<{ id: string; name: string }>;
    }>();
    expect(devices.devices).toHaveLength(1);
    const deviceId = devices.devices[0]!.id;
    // The trusting session's own login grant names the device, so revoking it ends this grant too.
    expect(grantPayload(ownGrant).did).toBe(deviceId);

    // A login grant the device earned six minutes ago: due for its re-check.
    const later = await aSession({ sub: "uri", sid: "u-2" });
    const old = await issueGrant(env, { tenantId, userId: "uri", sessionId: "u-2", operation: "login" }, { maxAgeSeconds: 3600 }, Date.now() - 6 * 60_000, {
      deviceId,
    });
    const renewed = await get(base, `portal_session=${later}; __Host-stepgate-grant-login=${old.token}`);
    expect(renewed.status).toBe(200);
    expect(cookieOf(renewed, "__Host-stepgate-grant-login")).toBeDefined(); // renewed after its check

    const revoke = await send(`${base}/__stepgate/api/devices/${deviceId}`, { method: "DELETE", headers: { Cookie: signedInCookie } });
    expect(revoke.status).toBe(204);
    expect((await get(base, `portal_session=${later}; __Host-stepgate-grant-login=${old.token}`)).status).toBe(303);
    expect((await get(base, `portal_session=${await aSession({ sub: "uri", sid: "u-3" })}; ${device}`)).status).toBe(303);
  });

  it("keeps at most `max` devices, evicting the oldest", async () => {
    const { base } = await aTenant(loginPolicy());
    const token = await aSession({ sub: "vic", sid: "v-0" });
    const { backupCodes } = await enrollTotpViaApi(base, token);
    for (let i = 1; i <= 3; i++) await passLogin(base, await aSession({ sub: "vic", sid: `v-${i}` }), backupCodes[i]!, true);
    const devices = await (await send(`${base}/__stepgate/api/devices`, { headers: { Cookie: await signedIn(base, token, backupCodes[4]!) } })).json<{
      devices: unknown[];
    }>();
    expect(devices.devices).toHaveLength(2);
  });
});

describe("self-service", () => {
  it("removes a factor only after a fresh manage_factors verification, and never the last one under required", async () => {
    const { base } = await aTenant(loginPolicy({ enforcement: "required", operations: {} }));
    const token = await aSession({ sub: "wil", sid: "w-1" });
    const { secret, enrolledAt } = await enrollTotpViaApi(base, await aSession({ sub: "wil", sid: "w-0" }));
    const me = await (await send(`${base}/__stepgate/api/me`, { headers: { Cookie: `portal_session=${token}` } })).json<{
      factors: Array<{ id: string }>;
      required: boolean;
    }>();
    expect(me.required).toBe(true);
    const factorId = me.factors[0]!.id;
    const stale = await send(`${base}/__stepgate/api/factors/${factorId}`, { method: "DELETE", headers: { Cookie: `portal_session=${token}` } });
    expect(stale.status).toBe(401);
    const { challengeId, operation } = await stale.json<{ challengeId: string; operation: string }>();
    expect(operation).toBe("manage_factors");
    expect((await verify(base, token, challengeId, "totp", totpCode(secret, enrolledAt + 30_000))).status).toBe(200);
    const last = await send(`${base}/__stepgate/api/factors/${factorId}`, { method: "DELETE", headers: { Cookie: `portal_session=${token}` } });
    expect(last.status).toBe(409);
    expect(await last.json()).toMatchObject({ code: "last_factor_required" });
  });

  it("lets a user disable 2FA under optional enforcement, which ends their devices and grants", async () => {
    const { base } = await aTenant(loginPolicy({ enforcement: "optional" }));
    const token = await aSession({ sub: "xan", sid: "x-1" });
    const { backupCodes } = await enrollTotpViaApi(base, token);
    const me = await (await send(`${base}/__stepgate/api/me`, { headers: { Cookie: `portal_session=${token}` } })).json<{ factors: Array<{ id: string }> }>();
    const cookie = await signedIn(base, token, backupCodes[1]!);
    // Enrolling the first factor verified this session, so it may manage factors now.
    const removed = await send(`${base}/__stepgate/api/factors/${me.factors[0]!.id}`, { method: "DELETE", headers: { Cookie: cookie } });
    expect(removed.status).toBe(204);
    expect((await get(base, `portal_session=${token}`)).status).toBe(200);
    expect((await verify(base, token, "x".repeat(22), "backup_code", backupCodes[0]!)).status).toBe(404);
  });

  it("makes new backup codes after a fresh verification; the old ones stop working", async () => {
    const { base } = await aTenant(loginPolicy({ operations: { withdraw: { routes: ["POST /echo/withdraw"], maxAge: 0 } } }));
    const token = await aSession({ sub: "yul", sid: "y-1" });
    const { backupCodes } = await enrollTotpViaApi(base, token);
    const made = await postJson(`${base}/__stepgate/api/backup-codes`, token, {});
    expect(made.status).toBe(201);
    const fresh = (await made.json<{ backupCodes: string[] }>()).backupCodes;
    expect(fresh).toHaveLength(10);
    const stopped = await postJson(`${base}/echo/withdraw`, token, {});
    const { challengeId } = await stopped.json<{ challengeId: string }>();
    expect((await verify(base, token, challengeId, "backup_code", backupCodes[0]!)).status).toBe(400);
    expect((await verify(base, token, challengeId, "backup_code", fresh[0]!)).status).toBe(200);
    const another = await aSession({ sub: "yul", sid: "y-2" });
    expect((await postJson(`${base}/__stepgate/api/backup-codes`, another, {})).status).toBe(401);
  });

  it("shows the settings page with factors, devices and activity, and sends a stale session to verify before removing", async () => {
    const { base } = await aTenant(loginPolicy());
    const token = await aSession({ sub: "zed", sid: "z-1" });
    const { backupCodes } = await enrollTotpViaApi(base, await aSession({ sub: "zed", sid: "z-0" }));
    const cookie = await signedIn(base, token, backupCodes[0]!);
    const settings = await send(`${base}/__stepgate/settings`, { headers: { Accept: "text/html", Cookie: cookie } });
    expect(settings.status).toBe(200);
    const html = await settings.text();
    expect(html).toContain("Authenticator app");
    expect(html).toContain("factor added".replace("f", "F"));
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)![1]!;
    const action = /action="(\/__stepgate\/settings\/factors\/[\w-]+\/remove)"/.exec(html)![1]!;
    const remove = await send(`${base}${action}`, {
      method: "POST",
      headers: { Accept: "text/html", Cookie: cookie, Origin: base, "Content-Type": "application/x-www-form-urlencoded" },
      body: `csrf=${encodeURIComponent(csrf)}`,
    });
    expect(remove.status).toBe(303);
    expect(remove.headers.get("Location")).toMatch(/^\/__stepgate\/challenge\//);
  });
});

describe("what protects the account is guarded like the portal", () => {
  it("keeps the device cookie from the origin, like the grants", async () => {
    const { base } = await aTenant(loginPolicy());
    const token = await aSession({ sub: "ada", sid: "a-1" });
    const { backupCodes } = await enrollTotpViaApi(base, token);
    const device = cookieOf(await passLogin(base, token, backupCodes[0]!, true), "__Host-stepgate-device")!;
    const home = await get(base, `portal_session=${await aSession({ sub: "ada", sid: "a-2" })}; ${device}; theme=dark`, "/echo/home", {
      Accept: "application/json",
    });
    expect(home.status).toBe(200);
    const seen = (await home.json<{ headers: Record<string, string> }>()).headers.cookie!;
    expect(seen).toContain("theme=dark");
    expect(seen).not.toContain("stepgate");
  });

  it("asks a session without a login grant to step up before listing or revoking devices, or opening settings", async () => {
    const { base } = await aTenant(loginPolicy());
    const token = await aSession({ sub: "bea", sid: "b-1" });
    const { backupCodes } = await enrollTotpViaApi(base, token);
    const cookie = `portal_session=${token}`;
    for (const [method, path] of [
      ["GET", "/devices"],
      ["DELETE", `/devices/${"d".repeat(22)}`],
      ["GET", "/activity"],
    ] as const) {
      const stopped = await send(`${base}/__stepgate/api${path}`, { method, headers: { Cookie: cookie } });
      expect(stopped.status, `${method} ${path}`).toBe(401);
      expect(await stopped.json()).toMatchObject({ code: "step_up_required", operation: "login" });
    }
    const settings = await send(`${base}/__stepgate/settings`, { headers: { Accept: "text/html", Cookie: cookie } });
    expect(settings.status).toBe(303);
    expect(settings.headers.get("Location")).toMatch(/^\/__stepgate\/challenge\//);
    // With the login grant, the same calls work and the activity shows the sign-in.
    const signedInCookie = await signedIn(base, token, backupCodes[0]!);
    const activity = await send(`${base}/__stepgate/api/activity`, { headers: { Cookie: signedInCookie } });
    expect(activity.status).toBe(200);
    const { entries } = await activity.json<{ entries: Array<{ type: string; detail: { operation?: string } }> }>();
    expect(entries[0]).toMatchObject({ type: "verify.ok", detail: { operation: "login" } });
    expect(entries.map((e) => e.type)).toContain("factor.enrolled");
    expect(entries.every((e) => e.type !== "code.sent")).toBe(true);
  });

  it("refuses a POST to the user API that a cross-site form could send (no JSON content type)", async () => {
    const { base } = await aTenant(loginPolicy());
    const token = await aSession({ sub: "cal", sid: "c-1" });
    const { backupCodes } = await enrollTotpViaApi(base, token);
    const cookie = await signedIn(base, token, backupCodes[0]!);
    for (const type of [null, "text/plain", "application/x-www-form-urlencoded"]) {
      const response = await send(`${base}/__stepgate/api/backup-codes`, {
        method: "POST",
        headers: { Cookie: cookie, Origin: "https://evil.test", ...(type ? { "Content-Type": type } : {}) },
        body: type ? "x=1" : undefined,
      });
      expect(response.status, String(type)).toBe(415);
    }
    // The old backup codes still work: nothing was regenerated.
    const stopped = await send(`${base}/echo/withdraw`, { method: "POST", headers: { Cookie: cookie, "Content-Type": "application/json" }, body: "{}" });
    const { challengeId } = await stopped.json<{ challengeId: string }>();
    expect((await verify(base, token, challengeId, "backup_code", backupCodes[1]!)).status).toBe(200);
  });

  it("does not trust a device from a challenge the policy does not let devices skip", async () => {
    const { base } = await aTenant(loginPolicy());
    const token = await aSession({ sub: "dan", sid: "d-1" });
    const { backupCodes } = await enrollTotpViaApi(base, token);
    const cookie = await signedIn(base, token, backupCodes[0]!);
    const stopped = await send(`${base}/echo/withdraw`, { method: "POST", headers: { Cookie: cookie, "Content-Type": "application/json" }, body: "{}" });
    const { challengeId, operation } = await stopped.json<{ challengeId: string; operation: string }>();
    expect(operation).toBe("withdraw");
    const verified = await postJson(`${base}/__stepgate/api/challenges/${challengeId}/verify`, token, {
      factor: "backup_code",
      code: backupCodes[1],
      trustDevice: true,
    });
    expect(verified.status).toBe(200);
    expect(cookieOf(verified, "__Host-stepgate-device")).toBeUndefined();
    const devices = await (await send(`${base}/__stepgate/api/devices`, { headers: { Cookie: cookie } })).json<{ devices: unknown[] }>();
    expect(devices.devices).toHaveLength(0);
  });

  it("answers an enrolment challenge only by enrolling, never with a code", async () => {
    const { base } = await aTenant(loginPolicy({ enforcement: "required" }));
    const token = await aSession({ sub: "eve" });
    const stopped = await get(base, `portal_session=${token}`, "/echo/home", { Accept: "application/json" });
    const { challengeId, code } = await stopped.json<{ challengeId: string; code: string }>();
    expect(code).toBe("enrollment_required");
    expect((await verify(base, token, challengeId, "backup_code", "aaaa-bbbb")).status).toBe(404);
  });

  it("requiredGroups: a member must enrol at login and may not remove the last factor, whatever the enforcement", async () => {
    const { base } = await aTenant(loginPolicy({ enforcement: "optional", requiredGroups: ["traders"] }));
    const member = await aSession({ sub: "fay", groups: ["traders"] });
    const pageLoad = await get(base, `portal_session=${member}`);
    expect(pageLoad.status).toBe(303);
    expect(pageLoad.headers.get("Location")).toMatch(/^\/__stepgate\/enroll\?challenge=/);
    expect((await get(base, `portal_session=${await aSession({ sub: "gus", groups: ["staff"] })}`)).status).toBe(200);
    const { backupCodes } = await enrollTotpViaApi(base, member);
    const cookie = await signedIn(base, member, backupCodes[0]!);
    const me = await (await send(`${base}/__stepgate/api/me`, { headers: { Cookie: cookie } })).json<{ factors: Array<{ id: string }>; required: boolean }>();
    expect(me.required).toBe(true);
    const last = await send(`${base}/__stepgate/api/factors/${me.factors[0]!.id}`, { method: "DELETE", headers: { Cookie: cookie } });
    expect(last.status).toBe(409);
  });

  it("ignores a device cookie taken to another tenant for a user of the same id", async () => {
    const first = await aTenant(loginPolicy());
    const second = await aTenant(loginPolicy());
    const token = await aSession({ sub: "hal", sid: "h-1" });
    const { backupCodes } = await enrollTotpViaApi(first.base, token);
    const device = cookieOf(await passLogin(first.base, token, backupCodes[0]!, true), "__Host-stepgate-device")!;
    const other = await enrollTotpViaApi(second.base, token);
    expect(other.backupCodes).toHaveLength(10);
    expect((await get(second.base, `portal_session=${await aSession({ sub: "hal", sid: "h-2" })}; ${device}`)).status).toBe(303);
  });
});

describe("a sign-in from a new place (login.newLocation)", () => {
  const BERLIN = { country: "DE", asn: 3320, city: "Berlin" };
  const PARIS = { country: "FR", asn: 3215, city: "Paris" };
  type Cf = Record<string, unknown>;
  /** A request from `cf` (as Cloudflare would place it), with these cookies. */
  const from = (cf: Cf | null, url: string, cookie: string, init: RequestInit = {}) =>
    send(url, { ...init, headers: { Cookie: cookie, "Content-Type": "application/json", ...(init.headers as object) }, ...(cf ? { cf } : {}) } as RequestInit);
  /** Answers the login challenge of session `token` (opened by an API call) with a backup code, from `cf`. */
  async function signInFrom(base: string, token: string, code: string, cf: Cf, options: { device?: string; trustDevice?: boolean } = {}) {
    const cookie = [`portal_session=${token}`, ...(options.device ? [options.device] : [])].join("; ");
    const stopped = await from(cf, `${base}/echo/api-call`, cookie, { method: "POST", body: "{}" });
    expect(stopped.status).toBe(401);
    const { challengeId, operation } = await stopped.json<{ challengeId: string; operation: string }>();
    expect(operation).toBe("login");
    const body = JSON.stringify({ factor: "backup_code", code, trustDevice: options.trustDevice ?? false });
    const verified = await from(cf, `${base}/__stepgate/api/challenges/${challengeId}/verify`, cookie, { method: "POST", body });
    expect(verified.status).toBe(200);
    return verified;
  }
  const newLocations = async (base: string, user: string) =>
    (
      await adminGet<{ entries: Array<{ type: string; detail: Record<string, unknown> }> }>(
        `${base}/__stepgate/admin/v1/audit?user=${user}&type=signin.new_location`,
      )
    ).entries;
  /** A new portal session of `sub` loading a page with the device cookie, from `cf`. */
  const pageFrom = async (base: string, sub: string, sid: string, device: string, cf: Cf | null) =>
    from(cf, `${base}/echo/home`, `portal_session=${await aSession({ sub, sid })}; ${device}`, { headers: page });

  it("asks for a factor on a trusted device from a country or network the user has not used, and audits that sign-in with where it came from", async () => {
    const { base } = await aTenant(loginPolicy({ login: { newLocation: true } }));
    const token = await aSession({ sub: "ina", sid: "i-1" });
    const { backupCodes } = await enrollTotpViaApi(base, token);
    // The first place: nothing to compare it with, so not new.
    const device = cookieOf(await signInFrom(base, token, backupCodes[0]!, BERLIN, { trustDevice: true }), "__Host-stepgate-device")!;
    expect(await newLocations(base, "ina")).toEqual([]);
    expect((await pageFrom(base, "ina", "i-2", device, BERLIN)).status).toBe(200);

    // Another country: the trusted device does not spare the code.
    const paris = await pageFrom(base, "ina", "i-3", device, PARIS);
    expect(paris.status).toBe(303);
    expect(paris.headers.get("Location")).toMatch(/^\/__stepgate\/challenge\//);
    expect(cookieOf(paris, "__Host-stepgate-grant-login")).toBeUndefined();
    const parisToken = await aSession({ sub: "ina", sid: "i-3" });
    const grant = cookieOf(await signInFrom(base, parisToken, backupCodes[1]!, PARIS, { device }), "__Host-stepgate-grant-login")!;
    expect(grant).toBeDefined();
    const signedInParis = `portal_session=${parisToken}; ${grant}`;
    const devices = await (await from(null, `${base}/__stepgate/api/devices`, signedInParis)).json<{ devices: Array<{ id: string }> }>();
    const [event, ...more] = await newLocations(base, "ina");
    expect(more).toEqual([]);
    expect(event).toMatchObject({
      type: "signin.new_location",
      detail: { country: "FR", asn: 3215, city: "Paris", factor: "backup_code", setAsideDeviceId: devices.devices[0]!.id },
    });

    // Verified there, Paris is one of the user's places now.
    expect((await pageFrom(base, "ina", "i-4", device, PARIS)).status).toBe(200);
    // A known country on a new network, and a request Cloudflare could not place, are asked too.
    expect((await pageFrom(base, "ina", "i-5", device, { country: "DE", asn: 6805, city: "Berlin" })).status).toBe(303);
    expect((await pageFrom(base, "ina", "i-6", device, null)).status).toBe(303);
    // stepgate's own pages that need the login grant are guarded the same way.
    const fromTokyo = await from(
      { country: "JP", asn: 2516 },
      `${base}/__stepgate/api/devices`,
      `portal_session=${await aSession({ sub: "ina", sid: "i-7" })}; ${device}`,
    );
    expect(fromTokyo.status).toBe(401);
    expect(await fromTokyo.json()).toMatchObject({ code: "step_up_required", operation: "login" });
    expect((await from(BERLIN, `${base}/__stepgate/api/devices`, `portal_session=${await aSession({ sub: "ina", sid: "i-8" })}; ${device}`)).status).toBe(200);
    expect(await newLocations(base, "ina")).toHaveLength(1);

    // The user sees it among their sign-ins, with the place.
    const activity = await (await from(null, `${base}/__stepgate/api/activity`, signedInParis)).json<{
      entries: Array<{ type: string; city: string | null; country: string | null }>;
    }>();
    expect(activity.entries.find((e) => e.type === "signin.new_location")).toMatchObject({ city: "Paris", country: "FR" });
    const settings = await from(null, `${base}/__stepgate/settings`, signedInParis, { headers: page });
    expect(await settings.text()).toContain("Sign-in from a new country or network (Backup code)");
  });

  it("learns a place only from a sign-in: a withdrawal verified from a new country leaves it new, and the first sign-in there is asked and told", async () => {
    const { base } = await aTenant(loginPolicy({ login: { newLocation: true } }));
    const token = await aSession({ sub: "jon", sid: "j-1" });
    const { backupCodes } = await enrollTotpViaApi(base, token);
    // The first place: nothing to compare it with, so not new.
    const device = cookieOf(await signInFrom(base, token, backupCodes[0]!, BERLIN, { trustDevice: true }), "__Host-stepgate-device")!;
    expect(await newLocations(base, "jon")).toEqual([]);
    const loginGrant = cookieOf(await pageFrom(base, "jon", "j-2", device, BERLIN), "__Host-stepgate-grant-login")!;
    // A withdrawal verified in Paris (a thief with the session and a phished code, say): no sign-in, no new place learned.
    const cookie = `portal_session=${await aSession({ sub: "jon", sid: "j-2" })}; ${loginGrant}`;
    const stopped = await from(PARIS, `${base}/echo/withdraw`, cookie, { method: "POST", body: "{}" });
    const { challengeId, operation } = await stopped.json<{ challengeId: string; operation: string }>();
    expect(operation).toBe("withdraw");
    const verified = await from(PARIS, `${base}/__stepgate/api/challenges/${challengeId}/verify`, cookie, {
      method: "POST",
      body: JSON.stringify({ factor: "backup_code", code: backupCodes[1] }),
    });
    expect(verified.status).toBe(200);
    expect(await newLocations(base, "jon")).toEqual([]);
    // So the trusted device's cookie from Paris still does not skip the sign-in, and that sign-in is audited (and alerted).
    expect((await pageFrom(base, "jon", "j-3", device, PARIS)).status).toBe(303);
    await signInFrom(base, await aSession({ sub: "jon", sid: "j-3" }), backupCodes[2]!, PARIS, { device });
    expect(await newLocations(base, "jon")).toEqual([expect.objectContaining({ detail: expect.objectContaining({ country: "FR", asn: 3215 }) })]);
    expect((await pageFrom(base, "jon", "j-4", device, PARIS)).status).toBe(200);
  });

  it("is off by default: a trusted device skips the login step-up from anywhere, and no sign-in is audited as a new location", async () => {
    const { base } = await aTenant(loginPolicy());
    const token = await aSession({ sub: "kit", sid: "k-1" });
    const { backupCodes } = await enrollTotpViaApi(base, token);
    const device = cookieOf(await signInFrom(base, token, backupCodes[0]!, BERLIN, { trustDevice: true }), "__Host-stepgate-device")!;
    expect((await pageFrom(base, "kit", "k-2", device, PARIS)).status).toBe(200);
    await signInFrom(base, await aSession({ sub: "kit", sid: "k-3" }), backupCodes[1]!, { country: "JP", asn: 2516 });
    expect(await newLocations(base, "kit")).toEqual([]);
  });
});
