/**
 * @module
 * `/__stepgate/admin/activity` (scope `audit:read`): the tenant's audit trail, filtered and
 * paged, and `/activity/export.csv` / `.ndjson`: the whole filtered range as one streamed file,
 * the same file the admin API's `GET /audit/export` answers with.
 */
import { type Context, Hono } from "hono";
import type { ConsoleEnv } from "../app-env";
import { AUDIT_EXPORT_FORMATS, auditExport } from "../flows/audit-export";
import { auditPage } from "../flows/audit-trail";
import { requireConsoleScope } from "../flows/console-access";
import { type ActivityFilter, activityFilter, badCursor } from "./console-activity-filter";
import { ACTIVITY_PATH, ActivityPage } from "./console-activity-page";
import { consoleFrame } from "./console-frame";
import { renderPage } from "./layout";

/** Entries a page shows. */
const PAGE_ENTRIES = 50;

export const consoleActivity = new Hono<ConsoleEnv>();

consoleActivity.use("*", requireConsoleScope("audit:read"));

consoleActivity.get("/", async (c) => {
  const frame = await consoleFrame(c, ACTIVITY_PATH);
  const query = c.req.query();
  const read = activityFilter(query, frame.text.timeZone);
  if (!read.ok) return refused(c, read);
  const page = await auditPage(c.env, c.var.tenant.tenantId, { ...read.filter, cursor: read.cursor, limit: PAGE_ENTRIES });
  return renderPage(
    c,
    <ActivityPage
      frame={frame}
      form={read.form}
      errors={{}}
      badPage={badCursor(query)}
      entries={page.entries}
      nextCursor={page.nextCursor}
      paged={read.cursor !== undefined}
    />,
  );
});

for (const format of AUDIT_EXPORT_FORMATS) {
  consoleActivity.get(`/export.${format}`, async (c) => {
    const read = activityFilter(c.req.query(), (await consoleFrame(c, ACTIVITY_PATH)).text.timeZone);
    if (!read.ok) return refused(c, read);
    return auditExport(c.env, c.var.tenant.tenantId, read.filter, format);
  });
}

/** The page with each refused filter's error beside its field, and no entries. */
async function refused(c: Context<ConsoleEnv>, read: Extract<ActivityFilter, { ok: false }>) {
  const frame = await consoleFrame(c, ACTIVITY_PATH);
  return renderPage(c, <ActivityPage frame={frame} form={read.form} errors={read.errors} badPage={false} entries={[]} nextCursor={null} paged={false} />, 400);
}
