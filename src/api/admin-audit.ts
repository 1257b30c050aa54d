/**
 * @module
 * `GET /audit`: the tenant's audit trail, newest first, filtered by user, type and time; and
 * `GET /audit/export`: every entry of a filter as one CSV or NDJSON file, streamed. When the
 * query names a user, that user's latest entries are sent over first, so nothing they did a
 * moment ago is missing (see `flows/audit-trail.ts`).
 */
import { Hono } from "hono";
import type { AdminEnv } from "../app-env";
import { auditExport } from "../flows/audit-export";
import { auditPage } from "../flows/audit-trail";
import { requireScope } from "./admin-auth";
import { AuditExportQuery, AuditQuery, TenantAuditEntry } from "./admin-schemas";
import { answers, pageOf, queryOf } from "./route-declarations";

export const adminAudit = new Hono<AdminEnv>();

adminAudit.get(
  "/audit",
  requireScope("audit:read"),
  answers("The tenant's audit trail", [200, "Newest first", pageOf("entries", TenantAuditEntry)]),
  queryOf(AuditQuery),
  async (c) => c.json(await auditPage(c.env, c.var.tenant.tenantId, c.req.valid("query"))),
);

adminAudit.get(
  "/audit/export",
  requireScope("audit:read"),
  answers(
    "Every entry of the filtered trail as a file",
    [
      200,
      "Newest first, streamed: CSV (RFC 4180 with a header row, `detail` as JSON, a leading ' on text a spreadsheet would run as a formula) or NDJSON (one entry a line, as GET /audit shows them)",
    ],
    { media: ["text/csv", "application/x-ndjson"] },
  ),
  queryOf(AuditExportQuery),
  async (c) => {
    const { format, ...filter } = c.req.valid("query");
    return auditExport(c.env, c.var.tenant.tenantId, filter, format);
  },
);
