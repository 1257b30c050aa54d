/**
 * @module
 * The tenant's users for admins: the directory (`GET /users`, from the tenant's object) and one
 * user's details and actions (from the user's own object): reset, unlock, per-user requirement,
 * revoking a trusted device. After each action the user's object sends its new status and audit
 * entries to the tenant's at once, so the admin sees the change in the directory and audit.
 */
import { type Context, Hono } from "hono";
import * as z from "zod";
import type { AdminEnv } from "../app-env";
import { syncSoon } from "../flows/user-outcomes";
import { ProblemError } from "../lib/problem";
import { reachState } from "../lib/reach-state";
import { tenantState } from "../state/tenant";
import { type UserDetails, userState } from "../state/user";
import { type AuditEntry, requestOrigin } from "../state/user/audit";
import { requireScope } from "./admin-auth";
import { DirectoryEntry, DirectoryQuery, RequirementBody, RequirementResult, ResetResult, UnlockResult, UserDetailsView, UserId } from "./admin-schemas";
import { answers, jsonBody, pageOf, paramsOf, queryOf } from "./route-declarations";

/** Recent audit entries shown with a user's details; the full trail is `GET /audit?user=`. */
const RECENT_ACTIVITY = 20;

export const adminUsers = new Hono<AdminEnv>();

/** `:id` in every user route: Hono has decoded it once; decoding again would change ids with `%`. */
const UserParam = z.object({ id: UserId });

adminUsers.get(
  "/users",
  requireScope("users:read"),
  answers("The user directory", [200, "A page of users", pageOf("users", DirectoryEntry)]),
  queryOf(DirectoryQuery),
  async (c) => {
    const query = c.req.valid("query");
    const page = await reachState(
      () =>
        tenantState(c.env, c.var.tenant.tenantId).directory(query, enrollmentEpochOf(c)) as Promise<{ entries: DirectoryEntry[]; nextCursor: string | null }>,
    );
    return c.json({ users: page.entries, nextCursor: page.nextCursor });
  },
);

adminUsers.get(
  "/users/:id",
  requireScope("users:read"),
  answers("One user: status, factors, devices, recent activity", [200, "The user", UserDetailsView], { problems: [404] }),
  paramsOf(UserParam),
  async (c) => {
    const userId = c.req.valid("param").id;
    const user = userState(c.env, c.var.tenant.tenantId, userId);
    const details = await reachState<UserDetails | null>(() => user.details(enrollmentEpochOf(c)));
    if (!details) throw new ProblemError(404, "user_not_found", "stepgate has not seen this user.");
    await syncSoon(user);
    const [entry, recent] = await Promise.all([
      reachState(() => tenantState(c.env, c.var.tenant.tenantId).directoryEntry(userId) as Promise<DirectoryEntry | null>),
      reachState<AuditEntry[]>(() => user.audit(RECENT_ACTIVITY, null)),
    ]);
    return c.json({ ...entry, ...details, recentActivity: recent });
  },
);

adminUsers.post(
  "/users/:id/reset",
  requireScope("users:write"),
  answers("Remove every factor, backup code and device; the user enrolls again", [200, "Reset", ResetResult], { problems: [404] }),
  paramsOf(UserParam),
  async (c) => {
    const userId = c.req.valid("param").id;
    const user = userState(c.env, c.var.tenant.tenantId, userId);
    const reset = await reachState<{ factorsRemoved: number } | null>(() => user.reset(requestOrigin(c.req.raw), c.var.admin.actor));
    if (!reset) throw new ProblemError(404, "user_not_found", "stepgate has not seen this user; there is nothing to reset.");
    const { factorsRemoved } = reset;
    await syncSoon(user);
    return c.json({ userId, reset: true, factorsRemoved });
  },
);

adminUsers.post("/users/:id/unlock", requireScope("users:write"), answers("End a lockout", [200, "Unlocked", UnlockResult]), paramsOf(UserParam), async (c) => {
  const userId = c.req.valid("param").id;
  const user = userState(c.env, c.var.tenant.tenantId, userId);
  const { wasLocked } = await reachState<{ wasLocked: boolean }>(() => user.unlock(requestOrigin(c.req.raw), c.var.admin.actor));
  await syncSoon(user);
  return c.json({ userId, unlocked: true, wasLocked });
});

adminUsers.put(
  "/users/:id/requirement",
  requireScope("users:write"),
  answers("Require 2FA of one user (true), exempt them (false) or follow the policy (null)", [200, "Set", RequirementResult]),
  paramsOf(UserParam),
  jsonBody(RequirementBody, { maxBytes: 1024 }),
  async (c) => {
    const userId = c.req.valid("param").id;
    const { required } = c.req.valid("json");
    const user = userState(c.env, c.var.tenant.tenantId, userId);
    await reachState(() => user.setRequirement(required, requestOrigin(c.req.raw), c.var.admin.actor));
    await syncSoon(user);
    return c.json({ userId, required });
  },
);

adminUsers.delete(
  "/users/:id/devices/:deviceId",
  requireScope("users:write"),
  answers("Stop trusting one of the user's devices", [204, "Revoked"], { problems: [404] }),
  paramsOf(UserParam.extend({ deviceId: z.string() })),
  async (c) => {
    const user = userState(c.env, c.var.tenant.tenantId, c.req.valid("param").id);
    const removed = await reachState<boolean>(() => user.revokeDevice(c.req.param("deviceId"), requestOrigin(c.req.raw), c.var.admin.actor));
    if (!removed) throw new ProblemError(404, "device_not_found", "No trusted device with this id.");
    await syncSoon(user);
    return c.body(null, 204);
  },
);

/**
 * The tenant's re-enrolment epoch (0: none). Factors enrolled before it no longer count, even
 * for users whose own object has not dropped them yet (it does at their next visit).
 */
function enrollmentEpochOf(c: Context<AdminEnv>): number {
  return c.var.tenant.status === "ok" ? (c.var.tenant.policy.enrollmentEpoch ?? 0) : 0;
}
