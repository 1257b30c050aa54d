/**
 * @module
 * The console's Users section under `/__stepgate/admin/users`: the directory (`users:read`), one
 * user's page (`users:read`), and the actions on a user (`users:write`, each a CSRF-checked
 * form): reset through its confirmation page, unlock, the per-user requirement, revoking a
 * trusted device. Each action is the API's own (`flows/user-administration.ts`: the same rules
 * and audit, the admin as actor), then a 303 back to the user's page, which says what was done.
 */
import { type Context, Hono } from "hono";
import type { ConsoleEnv } from "../app-env";
import { checkedConsoleForm, requireConsoleScope } from "../flows/console-access";
import { type AdminAct, resetUser, revokeUserDevice, setUserRequirement, unlockUser, userKnown, userOverview } from "../flows/user-administration";
import { directoryCounts, directoryPage } from "../flows/user-directory";
import { DirectoryQuery, UserId } from "../state/tenant/views";
import { requestOrigin } from "../state/user/audit";
import { consoleFrame } from "./console-frame";
import { REQUIREMENT_CHOICES, type RequirementChoice, UserNotFoundPage, UserPage } from "./console-user-page";
import { ResetUserPage } from "./console-user-reset-page";
import { type ListingParam, listingOf, USERS_PATH, userHref } from "./console-users-paths";
import { UsersPage } from "./console-users-page";
import type { PageKey } from "./i18n/catalogue";
import { renderPage } from "./layout";

/** What the user's page says after an action's redirect (`?done=`). */
const NOTICES: Readonly<Record<string, PageKey>> = {
  reset: "console.users.done.reset",
  unlocked: "console.users.done.unlocked",
  requirement: "console.users.done.requirement",
  device: "console.users.done.device",
  "device-gone": "console.users.done.deviceGone",
};

export const consoleUsers = new Hono<ConsoleEnv>();

consoleUsers.get("/", requireConsoleScope("users:read"), async (c) => {
  const listing = listingOf(c.req.query());
  const query = DirectoryQuery.safeParse(listing);
  const [frame, counts, result] = await Promise.all([
    consoleFrame(c, USERS_PATH),
    directoryCounts(c.env, c.var.tenant),
    query.success ? directoryPage(c.env, c.var.tenant, query.data) : null,
  ]);
  // A refused query is the page with each refused parameter marked, not an error page.
  const invalid = new Set(query.success ? [] : query.error.issues.map((issue) => String(issue.path[0]) as ListingParam));
  const sort = query.success ? query.data.sort : ({ column: "user_id", descending: false } as const);
  return renderPage(c, <UsersPage frame={frame} counts={counts} listing={listing} sort={sort} result={result} invalid={invalid} />, query.success ? 200 : 400);
});

consoleUsers.get("/:id", requireConsoleScope("users:read"), async (c) => {
  const userId = userIdOf(c);
  const user = userId === null ? null : await userOverview(c.env, c.var.tenant, userId);
  const frame = await consoleFrame(c, USERS_PATH);
  if (!user || userId === null) return renderPage(c, <UserNotFoundPage frame={frame} userId={c.req.param("id")} />, 404);
  const done = NOTICES[c.req.query("done") ?? ""];
  const notice = done ? frame.text.t(done, { user: userId }) : null;
  return renderPage(c, <UserPage frame={frame} userId={userId} user={user} notice={notice} requirementRefused={false} />);
});

consoleUsers.get("/:id/reset", requireConsoleScope("users:write"), async (c) => {
  const userId = await knownUserId(c);
  const frame = await consoleFrame(c, USERS_PATH);
  if (userId === null) return renderPage(c, <UserNotFoundPage frame={frame} userId={c.req.param("id")} />, 404);
  return renderPage(c, <ResetUserPage frame={frame} userId={userId} />);
});

consoleUsers.post("/:id/reset", requireConsoleScope("users:write"), async (c) => {
  await checkedConsoleForm(c);
  const userId = userIdOf(c);
  const reset = userId === null ? null : await resetUser(c.env, c.var.tenant.tenantId, userId, actOf(c));
  if (!reset || userId === null) return notFound(c);
  return c.redirect(`${userHref(userId)}?done=reset`, 303);
});

consoleUsers.post("/:id/unlock", requireConsoleScope("users:write"), async (c) => {
  await checkedConsoleForm(c);
  const userId = await knownUserId(c);
  if (userId === null) return notFound(c);
  await unlockUser(c.env, c.var.tenant.tenantId, userId, actOf(c));
  return c.redirect(`${userHref(userId)}?done=unlocked`, 303);
});

consoleUsers.post("/:id/requirement", requireConsoleScope("users:write"), async (c) => {
  const form = await checkedConsoleForm(c);
  const choice = typeof form.required === "string" && Object.hasOwn(REQUIREMENT_CHOICES, form.required) ? (form.required as RequirementChoice) : null;
  if (choice === null) {
    // Nothing is stored: the page comes back with the form's error beside it.
    const userId = userIdOf(c);
    const user = userId === null ? null : await userOverview(c.env, c.var.tenant, userId);
    if (!user || userId === null) return notFound(c);
    const frame = await consoleFrame(c, USERS_PATH);
    return renderPage(c, <UserPage frame={frame} userId={userId} user={user} notice={null} requirementRefused />, 400);
  }
  const userId = await knownUserId(c);
  if (userId === null) return notFound(c);
  await setUserRequirement(c.env, c.var.tenant.tenantId, userId, REQUIREMENT_CHOICES[choice], actOf(c));
  return c.redirect(`${userHref(userId)}?done=requirement`, 303);
});

consoleUsers.post("/:id/devices/:deviceId/revoke", requireConsoleScope("users:write"), async (c) => {
  await checkedConsoleForm(c);
  const userId = await knownUserId(c);
  if (userId === null) return notFound(c);
  const revoked = await revokeUserDevice(c.env, c.var.tenant.tenantId, userId, c.req.param("deviceId"), actOf(c));
  // Already gone (another admin, or the user, was first): said so, not an error.
  return c.redirect(`${userHref(userId)}?done=${revoked ? "device" : "device-gone"}`, 303);
});

/** The user id of the path, decoded once (by Hono, as the API's), or `null` when it cannot be one. */
function userIdOf(c: Context<ConsoleEnv>): string | null {
  const parsed = UserId.safeParse(c.req.param("id"));
  return parsed.success ? parsed.data : null;
}

/** The path's user id when stepgate has seen that user, else `null`. */
async function knownUserId(c: Context<ConsoleEnv>): Promise<string | null> {
  const userId = userIdOf(c);
  return userId !== null && (await userKnown(c.env, c.var.tenant.tenantId, userId)) ? userId : null;
}

function actOf(c: Context<ConsoleEnv>): AdminAct {
  return { actor: c.var.admin.actor, origin: requestOrigin(c.req.raw) };
}

async function notFound(c: Context<ConsoleEnv>) {
  return renderPage(c, <UserNotFoundPage frame={await consoleFrame(c, USERS_PATH)} userId={c.req.param("id") ?? ""} />, 404);
}
