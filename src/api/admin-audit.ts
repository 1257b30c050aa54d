/**
 * @module
 * `GET /audit`: the tenant's audit trail, newest first, filtered by user, type and time. When
 * the query names a user, that user's latest entries are sent over first, so nothing they did
 * a moment ago is missing.
 */
import { Hono } from "hono";
import type { AdminEnv } from "../app-env";
import { validate } from "../lib/json-body";
import { tenantState } from "../state/tenant";
import { userState } from "../state/user";
import { requireScope } from "./admin-auth";
import { AuditQuery, type TenantAuditEntry } from "./admin-schemas";
import { reachUser } from "./user-outcomes";

export const adminAudit = new Hono<AdminEnv>();

adminAudit.get("/audit", requireScope("audit:read"), async (c) => {
  const query = validate(AuditQuery, c.req.query(), 400);
  const { tenantId } = c.var.tenant;
  if (query.user !== undefined) await reachUser(() => userState(c.env, tenantId, query.user!).syncToTenant());
  const page = (await tenantState(c.env, tenantId).audit(query)) as { entries: TenantAuditEntry[]; nextCursor: string | null };
  return c.json(page);
});
