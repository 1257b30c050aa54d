/**
 * @module
 * `GET /audit`: the tenant's audit trail, newest first, filtered by user, type and time. When
 * the query names a user, that user's latest entries are sent over first, so nothing they did
 * a moment ago is missing.
 */
import { Hono } from "hono";
import type { AdminEnv } from "../app-env";
import { syncSoon } from "../flows/user-outcomes";
import { reachState } from "../lib/reach-state";
import { tenantState } from "../state/tenant";
import { userState } from "../state/user";
import { requireScope } from "./admin-auth";
import { AuditQuery, TenantAuditEntry } from "./admin-schemas";
import { answers, pageOf, queryOf } from "./route-declarations";

export const adminAudit = new Hono<AdminEnv>();

adminAudit.get(
  "/audit",
  requireScope("audit:read"),
  answers("The tenant's audit trail", [200, "Newest first", pageOf("entries", TenantAuditEntry)]),
  queryOf(AuditQuery),
  async (c) => {
    const query = c.req.valid("query");
    const { tenantId } = c.var.tenant;
    const tenant = tenantState(c.env, tenantId);
    // The named user's newest entries may not have been sent yet (a user first seen a moment ago
    // is not even in the directory), so ask their object directly.
    if (query.user !== undefined) await syncSoon(userState(c.env, tenantId, query.user));
    const page = await reachState(() => tenant.audit(query) as Promise<{ entries: TenantAuditEntry[]; nextCursor: string | null }>);
    return c.json(page);
  },
);
