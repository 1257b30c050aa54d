/**
 * @module
 * `/__stepgate/admin/history` (scope `policy:read`): the policy's versions, newest first, with
 * their changes; `/history/:version/restore` (scope `policy:write`): what restoring a version
 * would change, and the restore itself (a form with the console's CSRF token and the ETag of the
 * policy the admin saw: an ordinary, audited policy write, refused when the policy changed since).
 */
import { type Context, Hono } from "hono";
import type { ConsoleEnv } from "../app-env";
import { checkedConsoleForm, requireConsoleScope } from "../flows/console-access";
import { restorePolicyVersion, restorePreview } from "../flows/policy-restore";
import type { FieldError } from "../lib/json-body";
import { ProblemError } from "../lib/problem";
import { reachState } from "../lib/reach-state";
import { tenantState } from "../state/tenant";
import type { PolicyVersion } from "../state/tenant/views";
import { requestOrigin } from "../state/user/audit";
import { consoleFrame, frameAllows } from "./console-frame";
import { HISTORY_PATH, HistoryPage } from "./console-history-page";
import { RestorePage } from "./console-restore-page";
import { renderPage } from "./layout";

/** Versions a page shows. */
const PAGE_VERSIONS = 20;
const NUMBER = /^[1-9]\d{0,15}$/;

export const consoleHistory = new Hono<ConsoleEnv>();

consoleHistory.use("*", requireConsoleScope("policy:read"));

consoleHistory.get("/", async (c) => {
  const frame = await consoleFrame(c, HISTORY_PATH);
  const tenant = tenantState(c.env, c.var.tenant.tenantId);
  const cursor = numberOf(c.req.query("cursor"));
  const versions = await reachState(() => tenant.policyHistory(PAGE_VERSIONS, cursor) as Promise<PolicyVersion[]>);
  const current = await reachState(() => tenant.currentPolicy());
  const last = versions.at(-1);
  return renderPage(
    c,
    <HistoryPage
      frame={frame}
      versions={versions}
      currentEtag={current?.etag ?? null}
      mayRestore={frameAllows(frame, "policy:write")}
      restored={numberOf(c.req.query("restored"))}
      nextCursor={versions.length === PAGE_VERSIONS && last ? String(last.version) : null}
      paged={cursor !== null}
    />,
  );
});

consoleHistory.get("/:version{[0-9]+}/restore", requireConsoleScope("policy:write"), async (c) => restorePage(c, null, 200));

consoleHistory.post("/:version{[0-9]+}/restore", requireConsoleScope("policy:write"), async (c) => {
  const form = await checkedConsoleForm(c);
  const version = versionOf(c);
  const writer = { actor: c.var.admin.actor, origin: requestOrigin(c.req.raw) };
  try {
    await restorePolicyVersion(c.env, c.var.tenant.tenantId, version, typeof form.etag === "string" ? form.etag : "", writer);
  } catch (error) {
    if (!(error instanceof ProblemError)) throw error;
    if (error.code === "precondition_failed") return restorePage(c, "changed", 409);
    if (error.code === "validation_failed") return restorePage(c, (error.extras.errors as FieldError[] | undefined) ?? [], 422);
    throw error;
  }
  return c.redirect(`${HISTORY_PATH}?restored=${version}`, 303);
});

/** The confirmation page, as the policy is now: after a refused restore, with why. */
async function restorePage(c: Context<ConsoleEnv>, refusal: "changed" | readonly FieldError[] | null, status: 200 | 409 | 422) {
  const preview = await restorePreview(c.env, c.var.tenant.tenantId, versionOf(c));
  const frame = await consoleFrame(c, HISTORY_PATH);
  return renderPage(
    c,
    <RestorePage frame={frame} preview={preview} changedMeanwhile={refusal === "changed"} refused={Array.isArray(refusal) ? refusal : null} />,
    status,
  );
}

function versionOf(c: Context<ConsoleEnv>): number {
  const version = numberOf(c.req.param("version"));
  if (version === null) throw new ProblemError(404, "not_found", "No such version.");
  return version;
}

/** A positive whole number from the URL, or `null`. */
function numberOf(value: string | undefined): number | null {
  return value !== undefined && NUMBER.test(value) ? Number(value) : null;
}
