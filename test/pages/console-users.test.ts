/**
 * The console's user directory: the users stepgate has seen as a table, counts by status,
 * filters that keep to the sort links and the cursor's pages, sorting (by last seen too), and
 * a refused query shown on the page rather than as an error.
 */
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { PolicyInput } from "../../src/config/policy-schema";
import { userState } from "../../src/state/user";
import { LAST_SEEN_STEP_MS } from "../../src/state/user/identity";
import { adminGet, usersSync } from "../support/admin";
import { adminHeaders, aSession, send } from "../support/builders";
import { aConsoleAdmin, type ConsoleAdmin } from "../support/console";
import { enrollTotpViaApi, postJson } from "../support/step-up";

const usersPolicy: Partial<PolicyInput> = {
  operations: { login: { routes: ["* /*"], maxAge: 3600 } },
  factors: { email: { enabled: true } },
};

/** The user ids of the table's rows, in order. */
const rowsOf = (html: string) => [...html.matchAll(/<tr data-user="([^"]+)"/g)].map((m) => m[1]);
/** An `href` as the browser follows it. */
const unescaped = (href: string) => href.replaceAll("&amp;", "&");
/** The path of the link with `id` (or of the header link sorting by `sort`), under the console. */
function linkIn(html: string, attribute: string): string {
  const href = new RegExp(`<a href="([^"]+)"[^>]*${attribute}`).exec(html)?.[1];
  expect(href, attribute).toBeDefined();
  return unescaped(href!).replace(/^\/__stepgate\/admin/, "");
}

/** `sub` comes through the gate (and is seen), with `email` when given. */
async function visits(admin: ConsoleAdmin, sub: string, email?: string): Promise<void> {
  const session = await aSession({ sub, ...(email ? { email } : {}) });
  expect((await send(`${admin.base}/echo/home`, { headers: { Cookie: `portal_session=${session}` } })).status).toBe(200);
}

/** ann enrolled (app), ben and dan seen, cat started an email enrolment; all synced to the directory. */
async function fourUsers(admin: ConsoleAdmin): Promise<void> {
  await visits(admin, "ann", "ann@example.test");
  await enrollTotpViaApi(admin.base, await aSession({ sub: "ann", email: "ann@example.test" }));
  await visits(admin, "ben", "ben@example.test");
  expect((await postJson(`${admin.base}/__stepgate/api/enroll/email`, await aSession({ sub: "cat" }), { email: "cat@example.test" })).status).toBe(201);
  await visits(admin, "dan");
  await usersSync(admin.tenantId, "ann", "ben", "cat", "dan");
}

describe("the users page", () => {
  it("lists the users stepgate has seen in a table, with the counts by status as numbers and shares", async () => {
    const admin = await aConsoleAdmin(usersPolicy);
    await fourUsers(admin);
    const html = await admin.html("/users");
    expect(html).toContain('<table id="users">');
    expect(html).toMatch(/<caption id="users-caption">Users, sorted by User, ascending<\/caption>/);
    for (const column of ["User", "Email", "Status", "Factors", "Two-factor requirement", "Lockout", "Enrolled on", "Last seen"]) {
      expect(html).toMatch(new RegExp(`<th scope="col"[^>]*>(<a [^>]+>)?${column}`));
    }
    expect(rowsOf(html)).toEqual(["ann", "ben", "cat", "dan"]);
    const ann = /<tr data-user="ann">([\s\S]*?)<\/tr>/.exec(html)![1]!;
    expect(ann).toContain('href="/__stepgate/admin/users/ann"');
    expect(ann).toContain("ann@example.test");
    expect(ann).toContain("<td>Enrolled</td><td>Authenticator app</td><td>As the settings say</td><td>No</td>");
    expect(/<tr data-user="cat">[\s\S]*?<\/tr>/.exec(html)![0]).toContain("Enrolment started");
    const count = (status: string) => new RegExp(`data-status="${status}"><dt>[\\s\\S]*?</dt><dd>([^<]+)</dd>`).exec(html)![1];
    expect([count("enrolled"), count("pending"), count("not_enrolled"), count("all")]).toEqual(["1 (25%)", "1 (25%)", "2 (50%)", "4"]);
    // The admin API answers the same counts.
    expect(await adminGet(`${admin.base}/__stepgate/admin/v1/users/counts`)).toEqual({ total: 4, enrolled: 1, pending: 1, notEnrolled: 2 });
  });

  it("counts as the listing finds: factors from before a re-enrolment no longer count", async () => {
    const admin = await aConsoleAdmin({ ...usersPolicy, reenrollOnReenable: true });
    await fourUsers(admin);
    for (const enabled of [false, true]) {
      const policy = await send(`${admin.base}/__stepgate/admin/v1/policy`, { headers: adminHeaders() });
      const patched = await send(`${admin.base}/__stepgate/admin/v1/policy`, {
        method: "PATCH",
        headers: adminHeaders({ "If-Match": policy.headers.get("ETag")! }),
        body: JSON.stringify({ enabled }),
      });
      expect(patched.status).toBe(200);
    }
    expect(await adminGet(`${admin.base}/__stepgate/admin/v1/users/counts`)).toEqual({ total: 4, enrolled: 0, pending: 1, notEnrolled: 3 });
    expect(rowsOf(await admin.html("/users?status=not_enrolled"))).toEqual(["ann", "ben", "dan"]);
  });

  it("filters by status, factor, requirement and search, and keeps the filters in the sort links", async () => {
    const admin = await aConsoleAdmin(usersPolicy);
    await fourUsers(admin);
    const notEnrolled = await admin.html("/users?status=not_enrolled&factor=&q=");
    expect(rowsOf(notEnrolled)).toEqual(["ben", "dan"]);
    expect(notEnrolled).toContain('<option value="not_enrolled" selected="">Not enrolled</option>');
    expect(linkIn(notEnrolled, 'data-sort="last_seen_at"')).toBe("/users?status=not_enrolled&sort=-last_seen_at");
    expect(rowsOf(await admin.html("/users?status=pending"))).toEqual(["cat"]);
    expect(rowsOf(await admin.html("/users?factor=totp"))).toEqual(["ann"]);
    expect(rowsOf(await admin.html("/users?q=BEN%40"))).toEqual(["ben"]);
    expect(rowsOf(await admin.html("/users?q=da&lang=en"))).toEqual(["dan"]);
    expect(rowsOf(await admin.html("/users?required=true"))).toEqual([]);
    expect(await admin.html("/users?required=true")).toContain('<p class="card" id="no-users">No users match these filters.</p>');
    // A filter keeps the sort the listing had.
    expect(await admin.html("/users?sort=-email&status=enrolled")).toContain('<input type="hidden" name="sort" value="-email"/>');
  });

  it("sorts by each sortable column, both ways, marking the sorted header", async () => {
    const admin = await aConsoleAdmin(usersPolicy);
    // Seen in this order: zed, amy, max.
    for (const sub of ["zed", "amy", "max"]) {
      await visits(admin, sub, `${sub}@example.test`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await usersSync(admin.tenantId, "zed", "amy", "max");
    const byId = await admin.html("/users");
    expect(byId).toMatch(/<th scope="col" aria-sort="ascending"><a href="[^"]+" data-sort="user_id">User/);
    // The newest visit first on the first click, then the other way round.
    const newestFirst = await admin.html(linkIn(byId, 'data-sort="last_seen_at"'));
    expect(rowsOf(newestFirst)).toEqual(["max", "amy", "zed"]);
    expect(newestFirst).toMatch(/<th scope="col" aria-sort="descending"><a href="[^"]+" data-sort="last_seen_at">Last seen/);
    expect(newestFirst.match(/aria-sort=/g)).toHaveLength(1);
    const oldestFirst = await admin.html(linkIn(newestFirst, 'data-sort="last_seen_at"'));
    expect(rowsOf(oldestFirst)).toEqual(["zed", "amy", "max"]);
    expect(rowsOf(await admin.html(linkIn(byId, 'data-sort="user_id"')))).toEqual(["zed", "max", "amy"]);
    expect(rowsOf(await admin.html("/users?sort=email"))).toEqual(["amy", "max", "zed"]);
  });

  it("moves a user's last seen on when they come back a step later, and not on every request", async () => {
    const admin = await aConsoleAdmin(usersPolicy);
    await visits(admin, "ivy");
    await usersSync(admin.tenantId, "ivy");
    const lastSeen = async () => (await adminGet<{ lastSeenAt: string }>(`${admin.base}/__stepgate/admin/v1/users/ivy`)).lastSeenAt;
    const first = await lastSeen();
    await visits(admin, "ivy");
    await usersSync(admin.tenantId, "ivy");
    expect(await lastSeen()).toBe(first);
    // A step later (the stored visit moved back), the next visit is noted and sent.
    await runInDurableObject(userState(env, admin.tenantId, "ivy"), (_o, state) => {
      state.storage.sql.exec("UPDATE profile SET last_seen_at = last_seen_at - ?", LAST_SEEN_STEP_MS + 1);
    });
    const cameBack = Date.now();
    await visits(admin, "ivy");
    await usersSync(admin.tenantId, "ivy");
    expect(Date.parse(await lastSeen())).toBeGreaterThanOrEqual(cameBack);
  });

  it("pages by cursor with the filters kept, and leads back to the first page", async () => {
    const admin = await aConsoleAdmin(usersPolicy);
    const subs = ["u1", "u2", "u3", "u4", "u5"];
    for (const sub of subs) await visits(admin, sub);
    await usersSync(admin.tenantId, ...subs);
    const first = await admin.html("/users?limit=2&status=not_enrolled");
    expect(rowsOf(first)).toEqual(["u1", "u2"]);
    expect(first).not.toContain('id="first-page"');
    const nextPath = linkIn(first, 'id="next-page"');
    expect(nextPath).toMatch(/^\/users\?status=not_enrolled&limit=2&cursor=/);
    const second = await admin.html(nextPath);
    expect(rowsOf(second)).toEqual(["u3", "u4"]);
    const third = await admin.html(linkIn(second, 'id="next-page"'));
    expect(rowsOf(third)).toEqual(["u5"]);
    expect(third).not.toContain('id="next-page"');
    expect(linkIn(third, 'id="first-page"')).toBe("/users?status=not_enrolled&limit=2");
  });

  it("shows a refused query on the page, each refused filter marked, not an error page", async () => {
    const admin = await aConsoleAdmin(usersPolicy);
    await fourUsers(admin);
    const refused = await admin.get("/users?status=gone&q=ann");
    expect(refused.status).toBe(400);
    const html = await refused.text();
    expect(html).toContain("Some filters are not valid, so no users are shown.");
    expect(html).toMatch(/<select id="filter-status" name="status" aria-invalid="true" aria-describedby="filter-status-error">/);
    expect(html).toContain('id="filter-status-error">Choose one of the listed values.');
    expect(html).not.toContain('<table id="users">');
    expect(html).toContain('value="ann"');
    const tooLong = await admin.get(`/users?q=${"x".repeat(300)}`);
    expect(tooLong.status).toBe(400);
    expect(await tooLong.text()).toContain('id="filter-q-error">Search for at most 256 characters.');
    for (const broken of ["/users?cursor=not-a-cursor", "/users?sort=password", "/users?limit=5000"]) {
      const page = await admin.get(broken);
      expect(page.status, broken).toBe(400);
      const text = await page.text();
      expect(text).toContain("This page&#39;s link is out of date or was changed.");
      expect(text).not.toContain('name="sort" value="password"');
    }
  });

  it("says when there are no users yet", async () => {
    const admin = await aConsoleAdmin(usersPolicy);
    const html = await admin.html("/users");
    expect(html).toContain('id="no-users">No users yet.');
    expect(html).toMatch(/data-status="all"><dt>All users<\/dt><dd>0<\/dd>/);
  });

  it("is a section for admins who may read users; others get no link and a 403", async () => {
    const reader = await aConsoleAdmin(usersPolicy, ["users:read"]);
    expect(await reader.html("/")).toContain('<a href="/__stepgate/admin/users">Users</a>');
    const auditor = await aConsoleAdmin(usersPolicy, ["audit:read"]);
    expect(await auditor.html("/")).not.toContain('href="/__stepgate/admin/users"');
    expect((await auditor.get("/users")).status).toBe(403);
    expect((await auditor.get("/users/ann")).status).toBe(403);
  });
});
