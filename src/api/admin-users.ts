/**
 * @module
 * The tenant's users for admins: the directory (`GET /users`) and its counts by status (from the
 * tenant's object), and one user's details and actions (from the user's own object): reset,
 * unlock, per-user requirement, revoking a trusted device. The rules, the audit and the sync
 * after each action are the console's too: `flows/user-administration.ts`, `flows/user-directory.ts`.
 */
import { Hono } from "hono";
import * as z from "zod";
import type { AdminEnv } from "../app-env";
import { resetUser, revokeUserDevice, setUserRequirement, unlockUser, userOverview } from "../flows/user-administration";
import { directoryCounts, directoryPage } from "../flows/user-directory";
import { ProblemError } from "../lib/problem";
import { requestOrigin } from "../state/user/audit";
import { requireScope } from "./admin-auth";
import {
  DirectoryCounts,
  DirectoryEntry,
  DirectoryQuery,
  RequirementBody,
  RequirementResult,
  ResetResult,
  UnlockResult,
  UserDetailsView,
  UserId,
} from "./admin-schemas";
import { answers, jsonBody, pageOf, paramsOf, queryOf } from "./route-declarations";

export const adminUsers = new Hono<AdminEnv>();

/** `:id` in every user route: Hono has decoded it once; decoding again would change ids with `%`. */
const UserParam = z.object({ id: UserId });

adminUsers.get(
  "/users",
  requireScope("users:read"),
  answers("The user directory", [200, "A page of users", pageOf("users", DirectoryEntry)]),
  queryOf(DirectoryQuery),
  async (c) => {
    const page = await directoryPage(c.env, c.var.tenant, c.req.valid("query"));
    return c.json({ users: page.entries, nextCursor: page.nextCursor });
  },
);

// Before `/users/:id`, which would take `counts` for a user id.
adminUsers.get(
  "/users/counts",
  requireScope("users:read"),
  answers("How many users are enrolled, pending and not enrolled", [200, "The counts", DirectoryCounts]),
  async (c) => c.json(await directoryCounts(c.env, c.var.tenant)),
);

adminUsers.get(
  "/users/:id",
  requireScope("users:read"),
  answers("One user: status, factors, devices, recent activity", [200, "The user", UserDetailsView], { problems: [404] }),
  paramsOf(UserParam),
  async (c) => {
    const user = await userOverview(c.env, c.var.tenant, c.req.valid("param").id);
    if (!user) throw new ProblemError(404, "user_not_found", "stepgate has not seen this user.");
    return c.json({ ...user.entry, ...user.details, recentActivity: user.recentActivity });
  },
);

adminUsers.post(
  "/users/:id/reset",
  requireScope("users:write"),
  answers("Remove every factor, backup code and device; the user enrolls again", [200, "Reset", ResetResult], { problems: [404] }),
  paramsOf(UserParam),
  async (c) => {
    const userId = c.req.valid("param").id;
    const reset = await resetUser(c.env, c.var.tenant.tenantId, userId, { actor: c.var.admin.actor, origin: requestOrigin(c.req.raw) });
    if (!reset) throw new ProblemError(404, "user_not_found", "stepgate has not seen this user; there is nothing to reset.");
    return c.json({ userId, reset: true, factorsRemoved: reset.factorsRemoved });
  },
);

adminUsers.post("/users/:id/unlock", requireScope("users:write"), answers("End a lockout", [200, "Unlocked", UnlockResult]), paramsOf(UserParam), async (c) => {
  const userId = c.req.valid("param").id;
  const { wasLocked } = await unlockUser(c.env, c.var.tenant.tenantId, userId, { actor: c.var.admin.actor, origin: requestOrigin(c.req.raw) });
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
    await setUserRequirement(c.env, c.var.tenant.tenantId, userId, required, { actor: c.var.admin.actor, origin: requestOrigin(c.req.raw) });
    return c.json({ userId, required });
  },
);

adminUsers.delete(
  "/users/:id/devices/:deviceId",
  requireScope("users:write"),
  answers("Stop trusting one of the user's devices", [204, "Revoked"], { problems: [404] }),
  paramsOf(UserParam.extend({ deviceId: z.string() })),
  async (c) => {
    const act = { actor: c.var.admin.actor, origin: requestOrigin(c.req.raw) };
    const removed = await revokeUserDevice(c.env, c.var.tenant.tenantId, c.req.valid("param").id, c.req.param("deviceId"), act);
    if (!removed) throw new ProblemError(404, "device_not_found", "No trusted device with this id.");
    return c.body(null, 204);
  },
);
