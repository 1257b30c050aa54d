/**
 * @module
 * The tenant's users for admins: the directory (`GET /users`, from the tenant's object) and one
 * user's details and actions (from the user's own object): reset, unlock, per-user requirement,
 * revoking a trusted device. After each action the user's object sends its new status and audit
 * entries to the tenant's at once, so the admin sees the change in the directory and audit.
 */
import { Hono, type Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { AdminEnv } from "../app-env";
import { readJson, validate } from "../lib/json-body";
import { problem, ProblemError } from "../lib/problem";
import { requestOrigin, type AuditEntry } from "../state/user/audit";
import { tenantState } from "../state/tenant";
import { userState, type UserDetails } from "../state/user";
import { requireScope } from "./admin-auth";
import { DirectoryQuery, RequirementBody, UserId, type DirectoryEntry } from "./admin-schemas";
import { syncSoon } from "../flows/user-outcomes";
import { reachState } from "../lib/reach-state";

/** Recent audit entries shown with a user's details; the full trail is `GET /audit?user=`. */
const RECENT_ACTIVITY = 20;

export const adminUsers = new Hono<AdminEnv>();

adminUsers.get("/users", requireScope("users:read"), async (c) => {
  const query = validate(DirectoryQuery, c.req.query(), 400);
  const page = await reachState(
    () => tenantState(c.env, c.var.tenant.tenantId).directory(query, enrollmentEpochOf(c)) as Promise<{ entries: DirectoryEntry[]; nextCursor: string | null }>,
  );
  return c.json({ users: page.entries, nextCursor: page.nextCursor });
});

adminUsers.get("/users/:id", requireScope("users:read"), async (c) => {
  const userId = userIdOf(c);
  const user = userState(c.env, c.var.tenant.tenantId, userId);
  const details = await reachState<UserDetails | null>(() => user.details(enrollmentEpochOf(c)));
  if (!details) throw new ProblemError(404, "user_not_found", "stepgate has not seen this user.");
  await syncSoon(user);
  const [entry, recent] = await Promise.all([
    reachState(() => tenantState(c.env, c.var.tenant.tenantId).directoryEntry(userId) as Promise<DirectoryEntry | null>),
    reachState<AuditEntry[]>(() => user.audit(RECENT_ACTIVITY, null)),
  ]);
  return c.json({ ...entry, ...details, recentActivity: recent });
});

adminUsers.post("/users/:id/reset", requireScope("users:write"), async (c) => {
  const userId = userIdOf(c);
  const user = userState(c.env, c.var.tenant.tenantId, userId);
  const reset = await reachState<{ factorsRemoved: number } | null>(() => user.reset(requestOrigin(c.req.raw), c.var.admin.actor));
  if (!reset) throw new ProblemError(404, "user_not_found", "stepgate has not seen this user; there is nothing to reset.");
  const { factorsRemoved } = reset;
  await syncSoon(user);
  return c.json({ userId, reset: true, factorsRemoved });
});

adminUsers.post("/users/:id/unlock", requireScope("users:write"), async (c) => {
  const userId = userIdOf(c);
  const user = userState(c.env, c.var.tenant.tenantId, userId);
  const { wasLocked } = await reachState<{ wasLocked: boolean }>(() => user.unlock(requestOrigin(c.req.raw), c.var.admin.actor));
  await syncSoon(user);
  return c.json({ userId, unlocked: true, wasLocked });
});

adminUsers.put(
  "/users/:id/requirement",
  requireScope("users:write"),
  bodyLimit({ maxSize: 1024, onError: () => problem(413, "body_too_large", "A requirement body is a few bytes.") }),
  async (c) => {
    const userId = userIdOf(c);
    const { required } = validate(RequirementBody, await readJson(c), 400);
    const user = userState(c.env, c.var.tenant.tenantId, userId);
    await reachState(() => user.setRequirement(required, requestOrigin(c.req.raw), c.var.admin.actor));
    await syncSoon(user);
    return c.json({ userId, required });
  },
);

adminUsers.delete("/users/:id/devices/:deviceId", requireScope("users:write"), async (c) => {
  const user = userState(c.env, c.var.tenant.tenantId, userIdOf(c));
  const removed = await reachState<boolean>(() => user.revokeDevice(c.req.param("deviceId"), requestOrigin(c.req.raw), c.var.admin.actor));
  if (!removed) throw new ProblemError(404, "device_not_found", "No trusted device with this id.");
  await syncSoon(user);
  return c.body(null, 204);
});

/**
 * The tenant's re-enrolment epoch (0: none). Factors enrolled before it no longer count, even
 * for users whose own object has not dropped them yet (it does at their next visit).
 */
function enrollmentEpochOf(c: Context<AdminEnv>): number {
  return c.var.tenant.status === "ok" ? (c.var.tenant.policy.enrollmentEpoch ?? 0) : 0;
}

function userIdOf(c: Context<AdminEnv>): string {
  // Hono has already decoded the path parameter once; decoding again would change ids with `%`.
  return validate(UserId, c.req.param("id"), 400);
}
