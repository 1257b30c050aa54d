/**
 * @module
 * The admin API under `/__stepgate/admin/v1/`: every route needs an admin key
 * (`authenticateAdmin`) and names the scope it needs (`requireScope`).
 */
import { Hono } from "hono";
import { describeRoute } from "hono-openapi";
import type { AdminEnv } from "../app-env";
import { adminAudit } from "./admin-audit";
import { adminEvents } from "./admin-events";
import { authenticateAdmin } from "./admin-auth";
import { adminKeys } from "./admin-keys";
import { adminPolicy } from "./admin-policy";
import { adminUsers } from "./admin-users";
import { adminWebhooks } from "./admin-webhooks";

export const adminApi = new Hono<AdminEnv>();

adminApi.use("*", authenticateAdmin(), describeRoute({ tags: ["admin"] }));
adminApi.route("/", adminPolicy);
adminApi.route("/", adminUsers);
adminApi.route("/", adminAudit);
adminApi.route("/", adminEvents);
adminApi.route("/", adminKeys);
adminApi.route("/", adminWebhooks);
