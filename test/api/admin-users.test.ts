import { describe, expect, it } from "vitest";
import { env, runInDurableObject } from "cloudflare:test";
import { issueGrant } from "../../src/gate/grant";
import { tenantState } from "../../src/state/tenant";
import { userState } from "../../src/state/user";
import { adminHeaders, aPolicy, aSession, aTenant, send } from "../support/builders";
import { adminGet, usersSync } from "../support/admin";
import { expectErrorLogs } from "../support/expected-logs";
import { enrollTotpViaApi, postJson, verify } from "../support/step-up";
import { totpCode } from "../support/totp";

type Entry = {
  userId: string;
  email: string | null;
  status: string;
  factors: string[];
  locked: boolean;
  requiredByAdmin: boolean | null;
  updatedAt: string;
  enrolledAt: string | null;
};
type Page = { users: Entry[]; nextCursor: string | null };

const loginPolicy = () =>
  aPolicy({
    operations: { login: { routes: ["* /*"], maxAge: 3600 }, withdraw: { routes: ["POST /echo/withdraw"], maxAge: 0 } },
    trustedDevices: { enabled: true, days: 30, max: 5 },
    factors: { email: { enabled: true } },
    lockout: { maxAttempts: 2, windowSeconds: 900, lockSeconds: 900 },
  });

const users = (base: string, query = "") => adminGet<Page>(`${base}/__stepgate/admin/v1/users${query}`);
const cookieOf = (response: Response, name: string) =>
  response.headers
    .getSetCookie()
    .find((c) => c.startsWith(`${name}=`))
    ?.split(";")[0];

describe("user directory", () => {
  it("dates enrolledAt when the factor was confirmed, not when its QR page was first shown", async () => {
    const { base, tenantId } = await aTenant(loginPolicy());
    const token = await aSession({ sub: "qr-late" });
    const started = await postJson(`${base}/__stepgate/api/enroll/totp`, token, {});
    const { enrollmentId, secret } = await started.json<{ enrollmentId: string; secret: string }>();
    // The user looks for their phone for a while before typing the first code.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const confirmedFrom = Date.now();
    const confirmed = await postJson(`${base}/__stepgate/api/enroll/totp/confirm`, token, { enrollmentId, code: totpCode(secret, confirmedFrom) });
    expect(confirmed.status).toBe(200);
    await usersSync(tenantId, "qr-late");
    const [entry] = (await users(base)).users;
    expect(Date.parse(entry!.enrolledAt!)).toBeGreaterThanOrEqual(confirmedFrom);
  });

  it("lists every user stepgate has seen with their status, kept current by their objects' alarm", async () => {
    const { base, tenantId } = await aTenant(loginPolicy());
    // ann: enrolled (TOTP); ben: seen, not enrolled; cat: started an email enrolment; dan: locked.
    const ann = await aSession({ sub: "ann", email: "Ann@Example.test" });
    await send(`${base}/echo/home`, { headers: { Cookie: `portal_session=${ann}` } });
    await enrollTotpViaApi(base, ann);
    await send(`${base}/echo/home`, { headers: { Cookie: `portal_session=${await aSession({ sub: "ben", email: "ben@example.test" })}` } });
    expect((await postJson(`${base}/__stepgate/api/enroll/email`, await aSession({ sub: "cat" }), { email: "cat@example.test" })).status).toBe(201);
    const dan = await aSession({ sub: "dan" });
    await enrollTotpViaApi(base, dan);
    const challenge = (await (await postJson(`${base}/echo/home`, dan, {})).json<{ challengeId: string }>()).challengeId;
    for (let i = 0; i < 2; i++) await verify(base, dan, challenge, "totp", "000000");

    // Nothing reaches the directory until the users' objects send it (their alarm).
    expect((await users(base)).users).toEqual([]);
    await usersSync(tenantId, "ann", "ben", "cat", "dan");

    const all = await users(base);
    expect(all.users.map((u) => [u.userId, u.status, u.factors, u.locked])).toEqual([
      ["ann", "enrolled", ["totp"], false],
      ["ben", "not_enrolled", [], false],
      ["cat", "pending", [], false],
      ["dan", "enrolled", ["totp"], true],
    ]);
    expect(all.users[0]!.email).toBe("ann@example.test");
    // An address becomes the user's email in the directory once confirmed, not while pending.
    expect(all.users[2]!.email).toBeNull();

    const ids = async (query: string) => (await users(base, query)).users.map((u) => u.userId);
    expect(await ids("?status=enrolled")).toEqual(["ann", "dan"]);
    expect(await ids("?status=not_enrolled")).toEqual(["ben"]);
    expect(await ids("?status=pending")).toEqual(["cat"]);
    expect(await ids("?status=locked")).toEqual(["dan"]);
    expect(await ids("?factor=totp&sort=-user_id")).toEqual(["dan", "ann"]);
    expect(await ids("?q=BEN@")).toEqual(["ben"]);
    expect(await ids("?q=ca")).toEqual(["cat"]);
    expect(await ids("?sort=email")).toEqual(["cat", "dan", "ann", "ben"]); // no email first, as SQL sorts nulls

    // An admin's unlock is visible at once (the route sends the user's status before answering).
    await send(`${base}/__stepgate/admin/v1/users/dan/unlock`, { method: "POST", headers: adminHeaders() });
    expect(await ids("?status=locked")).toEqual([]);
  });

  it("does not touch the directory on a verification, only on status changes", async () => {
    const { base, tenantId } = await aTenant(loginPolicy());
    const token = await aSession({ sub: "eli" });
    const { secret, enrolledAt } = await enrollTotpViaApi(base, token);
    await usersSync(tenantId, "eli");
    const before = (await users(base)).users[0]!;
    const challenge = (await (await postJson(`${base}/echo/withdraw`, token, {})).json<{ challengeId: string }>()).challengeId;
    expect((await verify(base, token, challenge, "totp", totpCode(secret, enrolledAt + 30_000))).status).toBe(200);
    await usersSync(tenantId, "eli");
    const version = await runInDurableObject(
      userState(env, tenantId, "eli"),
      (_i, state) => state.storage.sql.exec<{ value: number }>("SELECT value FROM settings WHERE name = 'directory_version'").one().value,
    );
    expect((await users(base)).users[0]!.updatedAt).toBe(before.updatedAt);
    expect(version).toBe(3); // first seen, enrolment started, enrolled — not the verification
  });

  it("pages through 100,000 users with filters, search, sorts and cursors, each row exactly once", async () => {
    const { base, tenantId } = await aTenant(loginPolicy());
    const now = Date.now();
    await runInDurableObject(tenantState(env, tenantId), (_i, state) => {
      state.storage.transactionSync(() => {
        for (let i = 0; i < 100_000; i++) {
          const id = `user-${String(i).padStart(6, "0")}`;
          const factors = i % 3 === 0 ? "" : i % 3 === 1 ? "totp" : "email,sms";
          state.storage.sql.exec(
            "INSERT INTO directory (user_id, email, factors, pending_until, required, locked_until, enrolled_at, first_seen_at, updated_at, version) VALUES (?, ?, ?, 0, ?, ?, ?, ?, ?, 1)",
            id,
            `${id}@corp.test`,
            factors,
            i % 10 === 0 ? 1 : null,
            i % 1000 === 7 ? now + 600_000 : 0,
            factors ? now - i : 0,
            now - 1000 * i,
            now - (i % 5000),
          );
        }
      });
    });
    const first = await users(base, "?limit=200");
    expect(first.users).toHaveLength(200);
    expect(first.users[0]!.userId).toBe("user-000000");
    expect(first.users[199]!.userId).toBe("user-000199");

    // Walk a filtered listing to its end: every match once, in order.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Page = await users(base, `?status=locked&limit=37${cursor ? `&cursor=${cursor}` : ""}`);
      seen.push(...page.users.map((u) => u.userId));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(100);
    expect(new Set(seen).size).toBe(100);
    expect(seen).toEqual([...seen].sort());

    const sms = await users(base, "?factor=sms&required=true&sort=-updated_at&limit=5");
    expect(sms.users.every((u) => u.factors.includes("sms") && u.requiredByAdmin === true)).toBe(true);
    expect(sms.users.map((u) => u.updatedAt)).toEqual([...sms.users.map((u) => u.updatedAt)].sort().reverse());
    expect((await users(base, "?q=user-09999&limit=20")).users.map((u) => u.userId)).toEqual(Array.from({ length: 10 }, (_, i) => `user-09999${i}`));
    const byEnrollment = await users(base, "?status=enrolled&sort=-enrolled_at&limit=3");
    expect(byEnrollment.users.map((u) => u.userId)).toEqual(["user-000001", "user-000002", "user-000004"]);
  });

  it.each([
    ["?status=gone", "#/status"],
    ["?sort=password", "#/sort"],
    ["?limit=1000", "#/limit"],
    ["?cursor=not-a-cursor", "#/cursor"],
    ["?colour=red", "#/colour"],
  ])("refuses a bad listing query %s naming %s", async (query, pointer) => {
    const { base } = await aTenant(loginPolicy());
    const response = await send(`${base}/__stepgate/admin/v1/users${query}`, { headers: adminHeaders() });
    expect(response.status).toBe(400);
    expect((await response.json<{ errors: Array<{ pointer: string }> }>()).errors.map((e) => e.pointer)).toContain(pointer);
  });

  it("refuses a cursor from another sort", async () => {
    const { base, tenantId } = await aTenant(loginPolicy());
    for (const sub of ["a1", "a2", "a3"]) await send(`${base}/echo/home`, { headers: { Cookie: `portal_session=${await aSession({ sub })}` } });
    await usersSync(tenantId, "a1", "a2", "a3");
    const { nextCursor } = await users(base, "?limit=1");
    expect(nextCursor).not.toBeNull();
    expect((await send(`${base}/__stepgate/admin/v1/users?sort=email&cursor=${nextCursor}`, { headers: adminHeaders() })).status).toBe(400);
  });
});

describe("one user: details and reset", () => {
  it("shows a user's factors, backup codes left, devices, lock, requirement and recent activity; 404 for one never seen", async () => {
    const { base } = await aTenant(loginPolicy());
    const token = await aSession({ sub: "fio", email: "fio@example.test" });
    const { backupCodes } = await enrollTotpViaApi(base, token);
    const stopped = await postJson(`${base}/echo/home`, token, {});
    const { challengeId } = await stopped.json<{ challengeId: string }>();
    await postJson(`${base}/__stepgate/api/challenges/${challengeId}/verify`, token, { factor: "backup_code", code: backupCodes[0], trustDevice: true });
    const details = await adminGet<Record<string, any>>(`${base}/__stepgate/admin/v1/users/fio`);
    expect(details).toMatchObject({ userId: "fio", status: "enrolled", backupCodesLeft: 9, requiredByAdmin: null, lockedUntil: null });
    expect(details.factors).toEqual([expect.objectContaining({ kind: "totp", createdAt: expect.any(String) })]);
    expect(details.devices).toHaveLength(1);
    expect(details.recentActivity.map((e: { type: string }) => e.type)).toEqual(expect.arrayContaining(["verify.ok", "device.trusted", "factor.enrolled"]));
    const unknown = await send(`${base}/__stepgate/admin/v1/users/nobody`, { headers: adminHeaders() });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ code: "user_not_found" });
  });

  it("resets one user completely (factors, backup codes, devices, grants) and leaves the others untouched", async () => {
    const { base, tenantId } = await aTenant(loginPolicy());
    const enrollAndTrust = async (sub: string) => {
      const token = await aSession({ sub, sid: `${sub}-1` });
      const { backupCodes } = await enrollTotpViaApi(base, token);
      const { challengeId } = await (await postJson(`${base}/echo/home`, token, {})).json<{ challengeId: string }>();
      const verified = await postJson(`${base}/__stepgate/api/challenges/${challengeId}/verify`, token, {
        factor: "backup_code",
        code: backupCodes[0],
        trustDevice: true,
      });
      return { backupCodes, device: cookieOf(verified, "__Host-stepgate-device")! };
    };
    const gil = await enrollAndTrust("gil");
    const hoa = await enrollAndTrust("hoa");
    // Login grants issued six minutes ago, due for their re-check.
    const oldGrant = async (sub: string) =>
      (await issueGrant(env, { tenantId, userId: sub, sessionId: `${sub}-2`, operation: "login" }, { maxAgeSeconds: 3600 }, Date.now() - 6 * 60_000)).token;
    const home = async (sub: string, cookie: string) =>
      (await send(`${base}/echo/home`, { headers: { Accept: "text/html", Cookie: `portal_session=${await aSession({ sub, sid: `${sub}-2` })}; ${cookie}` } }))
        .status;
    expect(await home("gil", `__Host-stepgate-grant-login=${await oldGrant("gil")}`)).toBe(200);
    expect(await home("gil", gil.device)).toBe(200);

    const reset = await send(`${base}/__stepgate/admin/v1/users/gil/reset`, { method: "POST", headers: adminHeaders() });
    expect(reset.status).toBe(200);
    expect(await reset.json()).toMatchObject({ userId: "gil", reset: true, factorsRemoved: 1 });

    // gil: no factor, no backup code, no device, no old grant.
    expect(await home("gil", `__Host-stepgate-grant-login=${await oldGrant("gil")}`)).toBe(200); // optional enforcement, nothing left to ask
    const gilToken = await aSession({ sub: "gil", sid: "gil-3" });
    expect((await verify(base, gilToken, "x".repeat(22), "backup_code", gil.backupCodes[1]!)).status).toBe(404);
    const details = await adminGet<Record<string, any>>(`${base}/__stepgate/admin/v1/users/gil`);
    expect(details).toMatchObject({ status: "not_enrolled", factors: [], backupCodesLeft: 0, devices: [] });
    const { entries } = await adminGet<{ entries: Array<{ type: string; actor: string }> }>(`${base}/__stepgate/admin/v1/audit?user=gil&type=user.reset`);
    expect(entries[0]).toMatchObject({ type: "user.reset", actor: "bootstrap" });

    // hoa: untouched.
    expect(await home("hoa", `__Host-stepgate-grant-login=${await oldGrant("hoa")}`)).toBe(200);
    expect(await home("hoa", hoa.device)).toBe(200);
    const hoaDetails = await adminGet<Record<string, any>>(`${base}/__stepgate/admin/v1/users/hoa`);
    expect(hoaDetails).toMatchObject({ status: "enrolled", backupCodesLeft: 9 });
    expect(hoaDetails.devices).toHaveLength(1);
  });

  it("under required enforcement, a reset user must enrol again at the next page, and their old grants stop within the re-check bound", async () => {
    const { base, tenantId } = await aTenant({ ...loginPolicy(), enforcement: "required" });
    const token = await aSession({ sub: "ivo", sid: "i-1" });
    await enrollTotpViaApi(base, token);
    const old = await issueGrant(env, { tenantId, userId: "ivo", sessionId: "i-1", operation: "login" }, { maxAgeSeconds: 3600 }, Date.now() - 6 * 60_000);
    const page = () =>
      send(`${base}/echo/home`, { headers: { Accept: "text/html", Cookie: `portal_session=${token}; __Host-stepgate-grant-login=${old.token}` } });
    expect((await page()).status).toBe(200);
    await send(`${base}/__stepgate/admin/v1/users/ivo/reset`, { method: "POST", headers: adminHeaders() });
    const after = await page();
    expect(after.status).toBe(303);
    expect(after.headers.get("Location")).toMatch(/^\/__stepgate\/enroll\?challenge=/);
  });
});

describe("a reset racing a verification", () => {
  it("does not trust a device for a verification made before the reset", async () => {
    const { base, tenantId } = await aTenant(loginPolicy());
    await enrollTotpViaApi(base, await aSession({ sub: "jon" }));
    const provedAt = Date.now();
    await send(`${base}/__stepgate/admin/v1/users/jon/reset`, { method: "POST", headers: adminHeaders() });
    const user = userState(env, tenantId, "jon");
    const origin = { ip: null, userAgent: null };
    expect(await user.trustDevice({ name: "laptop", days: 30, max: 5, origin, provedAt })).toBeNull();
    expect(await user.trustDevice({ name: "laptop", days: 30, max: 5, origin, provedAt: Date.now() + 1 })).not.toBeNull();
  });
});

describe("directory and re-enrolment", () => {
  it("stops counting factors from before a re-enrolment epoch at once, before the users come back", async () => {
    const { base, tenantId } = await aTenant({ ...loginPolicy(), reenrollOnReenable: true });
    await enrollTotpViaApi(base, await aSession({ sub: "kai" }));
    await usersSync(tenantId, "kai");
    expect((await users(base, "?status=enrolled")).users.map((u) => u.userId)).toEqual(["kai"]);
    const patch = async (enabled: boolean) => {
      const etag = (await send(`${base}/__stepgate/admin/v1/policy`, { headers: adminHeaders() })).headers.get("ETag")!;
      const response = await send(`${base}/__stepgate/admin/v1/policy`, {
        method: "PATCH",
        headers: adminHeaders({ "If-Match": etag }),
        body: JSON.stringify({ enabled }),
      });
      expect(response.status).toBe(200);
    };
    await patch(false);
    await patch(true);
    expect((await users(base, "?status=enrolled")).users).toEqual([]);
    expect((await users(base, "?factor=totp")).users).toEqual([]);
    expect((await users(base, "?status=not_enrolled")).users.map((u) => [u.userId, u.factors])).toEqual([["kai", []]]);
    expect(await adminGet(`${base}/__stepgate/admin/v1/users/kai`)).toMatchObject({ status: "not_enrolled", factors: [] });
  });

  it("answers 404 for a reset of a user never seen, without adding them", async () => {
    const { base } = await aTenant(loginPolicy());
    const response = await send(`${base}/__stepgate/admin/v1/users/ghost/reset`, { method: "POST", headers: adminHeaders() });
    expect(response.status).toBe(404);
    expect((await users(base)).users).toEqual([]);
  });

  it("reports an admin action as done even when copying it to the tenant's object fails; the event stream brings it", async () => {
    const { base, tenantId } = await aTenant(loginPolicy());
    await enrollTotpViaApi(base, await aSession({ sub: "lev" }));
    await usersSync(tenantId, "lev");
    const tenant = tenantState(env, tenantId);
    // The tenant's object refusing every record (RPC entry points cannot be replaced, the step they call can).
    await runInDurableObject(tenant, (instance) => {
      Object.assign(instance, {
        refuseForeign: () => {
          throw new Error("refused by the test");
        },
      });
    });
    const errors = expectErrorLogs();
    const reset = await send(`${base}/__stepgate/admin/v1/users/lev/reset`, { method: "POST", headers: adminHeaders() });
    expect(reset.status).toBe(200);
    expect(errors).toHaveBeenCalledWith(
      "stepgate: copying a user's records to the tenant's object failed; the event stream brings them",
      expect.objectContaining({ message: "refused by the test" }),
    );
    await runInDurableObject(tenant, (instance) => {
      delete (instance as unknown as Record<string, unknown>).refuseForeign;
    });
    await usersSync(tenantId, "lev");
    expect((await users(base)).users.map((u) => [u.userId, u.status])).toEqual([["lev", "not_enrolled"]]);
  });
});
