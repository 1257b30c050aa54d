/**
 * @module
 * Admin actions on one user of the request's tenant: unlock after a lockout, read the audit
 * trail. (The full user directory comes with the admin capability.)
 */
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../app-env";
import { bodyLimit } from "hono/body-limit";
import { readJson, validate } from "../lib/json-body";
import { problem, ProblemError } from "../lib/problem";
import { requestOrigin, type AuditEntry } from "../state/audit-log";
import { userState } from "../state/user";
import { reachUser } from "./user-outcomes";

const UserId = z.string().min(1).max(256);
const AuditQuery = z.strictObject({
  user: UserId,
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.coerce.number().int().min(1).optional(),
});

export const adminUsers = new Hono<AppEnv>();

adminUsers.post("/users/:id/unlock", async (c) => {
  // Hono has already decoded the path parameter once; decoding again would change ids with `%`.
  const userId = validate(UserId, c.req.param("id"), 400);
  const user = userState(c.env, c.var.tenant.tenantId, userId);
  const { wasLocked } = await reachUser(() => user.unlock(requestOrigin(c.req.raw), "admin:bootstrap"));
  return c.json({ userId, unlocked: true, wasLocked });
});

const RequirementBody = z.strictObject({ required: z.boolean().nullable() });

adminUsers.put(
  "/users/:id/requirement",
  bodyLimit({ maxSize: 1024, onError: () => problem(413, "body_too_large", "A requirement body is a few bytes.") }),
  async (c) => {
    const userId = validate(UserId, c.req.param("id"), 400);
    const { required } = validate(RequirementBody, await readJson(c), 400);
    const user = userState(c.env, c.var.tenant.tenantId, userId);
    await reachUser(() => user.setRequirement(required, requestOrigin(c.req.raw), "admin:bootstrap"));
    return c.json({ userId, required });
  },
);

adminUsers.delete("/users/:id/devices/:deviceId", async (c) => {
  const userId = validate(UserId, c.req.param("id"), 400);
  const user = userState(c.env, c.var.tenant.tenantId, userId);
  const removed = await reachUser<boolean>(() => user.revokeDevice(c.req.param("deviceId"), requestOrigin(c.req.raw), "admin:bootstrap"));
  if (!removed) throw new ProblemError(404, "device_not_found", "No trusted device with this id.");
  return c.body(null, 204);
});

adminUsers.get("/audit", async (c) => {
  const query = validate(AuditQuery, c.req.query(), 400);
  const user = userState(c.env, c.var.tenant.tenantId, query.user);
  const entries = await reachUser<AuditEntry[]>(() => user.audit(query.limit, query.cursor ?? null));
  const last = entries.at(-1);
  return c.json({
    entries: entries.map((entry) => ({ ...entry, user: query.user })),
    nextCursor: entries.length === query.limit && last ? String(last.seq) : null,
  });
});
