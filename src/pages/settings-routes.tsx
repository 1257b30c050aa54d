/**
 * @module
 * `/__stepgate/settings`: the user's self-service page and its form actions. Changes that
 * weaken the account (removing a factor, new backup codes) are confirmed on a page of their own
 * (a GET shows the form, the POST does it) and need a fresh `manage_factors` verification;
 * without one the browser is sent to that challenge and brought back to the confirmation, so
 * the change it asked for is not lost. Renaming a passkey weakens nothing: the page's own login
 * grant is enough.
 */
import { Hono, type Context } from "hono";
import { csrf } from "hono/csrf";
import type { SessionEnv } from "../app-env";
import { openFreshVerification } from "../flows/fresh-verification";
import { requireLoginGrant } from "../flows/require-login-grant";
import { requireSession, signedInUser } from "../flows/require-session";
import { refusalProblem } from "../flows/user-outcomes";
import { ID_PATTERN } from "../lib/ids";
import { reachState } from "../lib/reach-state";
import { isRequired } from "../gate/requirement";
import { requestOrigin, type AuditEntry } from "../state/user/audit";
import type { Refusal, RemovalOutcome, UserDetails, UserStatus } from "../state/user";
import type { PageKey } from "./i18n/catalogue";
import { languageChoice, requestText } from "./i18n/language-choice";
import { renderPage } from "./layout";
import { checkedForm, limitForm, noStore, sessionCsrf } from "./page-forms";
import { SettingsConfirmPage } from "./settings-confirm-page";
import { FactorLabel, SettingsPage } from "./settings-page";
import { checkedPasskeyName, type RenameRefusal } from "./settings-passkeys";

const ACTIVITY_SHOWN = 10;

export const settingsPages = new Hono<SessionEnv>();

// `/settings/*` also matches `/settings` itself (Hono): one registration, so the chain runs once.
settingsPages.use("/settings/*", csrf(), requireSession(), languageChoice(), requireLoginGrant(), noStore);
settingsPages.post("/settings/*", limitForm);

settingsPages.get("/settings", (c) => renderSettings(c));

settingsPages.get("/settings/factors/:id/remove", async (c) => {
  const factor = (await reachState<UserStatus>(() => signedInUser(c).status(c.var.policy.enrollmentEpoch))).factors.find((f) => f.id === c.req.param("id"));
  if (!factor) throw refusalProblem({ ok: false, error: "factor_not_enrolled" });
  const text = await requestText(c, c.var.policy);
  const passkey = factor.kind === "webauthn";
  return renderPage(
    c,
    <SettingsConfirmPage
      branding={c.var.policy.branding}
      text={text}
      title={passkey ? "settings.passkeyRemoveTitle" : "settings.removeTitle"}
      warning={passkey ? "settings.passkeyRemoveWarning" : "settings.removeWarning"}
      subject={<FactorLabel text={text} factor={factor} />}
      action={`/__stepgate/settings/factors/${factor.id}/remove`}
      submit="settings.remove"
      csrf={await sessionCsrf(c)}
    />,
  );
});

settingsPages.get("/settings/backup-codes", async (c) =>
  renderPage(
    c,
    <SettingsConfirmPage
      branding={c.var.policy.branding}
      text={await requestText(c, c.var.policy)}
      title="settings.renewTitle"
      warning="settings.renewWarning"
      action="/__stepgate/settings/backup-codes"
      submit="settings.newBackupCodes"
      csrf={await sessionCsrf(c)}
    />,
  ),
);

settingsPages.post("/settings/factors/:id/remove", async (c) => {
  await checkedForm(c);
  const { identity, policy } = c.var;
  const factorId = c.req.param("id");
  if (!ID_PATTERN.test(factorId)) throw refusalProblem({ ok: false, error: "factor_not_enrolled" });
  const status = await reachState<UserStatus>(() => signedInUser(c).status(policy.enrollmentEpoch));
  const mayRemoveLast = !policy.enabled || !isRequired(policy, identity, status);
  const outcome = await reachState<RemovalOutcome>(() =>
    signedInUser(c).removeFactor({ factorId, sessionId: identity.sessionId, mayRemoveLast, origin: requestOrigin(c.req.raw) }),
  );
  if (!outcome.ok) return refused(c, outcome, `/__stepgate/settings/factors/${factorId}/remove`);
  return renderSettings(c, { notice: "settings.factorRemoved" });
});

settingsPages.post("/settings/factors/:id/rename", async (c) => {
  const form = await checkedForm(c);
  const factorId = c.req.param("id");
  if (!ID_PATTERN.test(factorId)) throw refusalProblem({ ok: false, error: "factor_not_enrolled" });
  const checked = checkedPasskeyName(await requestText(c, c.var.policy), form.name);
  if ("problem" in checked) {
    const value = typeof form.name === "string" ? form.name : "";
    return renderSettings(c, { renameRefused: { factorId, value, message: checked.problem } }, 400);
  }
  const renamed = await reachState<boolean>(() => signedInUser(c).renamePasskey(factorId, checked.name, requestOrigin(c.req.raw)));
  if (!renamed) throw refusalProblem({ ok: false, error: "factor_not_enrolled" });
  return renderSettings(c, { notice: "settings.passkeyRenamed" });
});

settingsPages.post("/settings/backup-codes", async (c) => {
  await checkedForm(c);
  const { identity, policy } = c.var;
  const outcome = await reachState<{ ok: true; backupCodes: string[] } | Refusal>(() =>
    signedInUser(c).regenerateBackupCodes({ sessionId: identity.sessionId, count: policy.factors.backupCodes.count, origin: requestOrigin(c.req.raw) }),
  );
  if (!outcome.ok) return refused(c, outcome, "/__stepgate/settings/backup-codes");
  return renderSettings(c, { notice: "settings.codesRenewed", newBackupCodes: outcome.backupCodes });
});

settingsPages.post("/settings/devices/:id/revoke", async (c) => {
  await checkedForm(c);
  const removed = await reachState<boolean>(() => signedInUser(c).revokeDevice(c.req.param("id"), requestOrigin(c.req.raw), "user"));
  return renderSettings(c, { notice: removed ? "settings.deviceRevoked" : "settings.deviceGone" });
});

/** A change refused for want of a fresh verification: verify, then come back to its confirmation (`confirmPath`). */
async function refused(c: Context<SessionEnv>, refusal: Refusal, confirmPath: string): Promise<Response> {
  if (refusal.error !== "step_up_required") throw refusalProblem(refusal);
  const challenge = await openFreshVerification(c, confirmPath);
  return c.redirect(`/__stepgate/challenge/${challenge.id}`, 303);
}

/** What the settings page shows besides the account's state. */
interface SettingsShown {
  /** What the action just done changed. */
  notice?: PageKey;
  /** New backup codes, shown once. */
  newBackupCodes?: string[];
  /** A passkey name refused, shown beside its form. */
  renameRefused?: RenameRefusal;
}

async function renderSettings(c: Context<SessionEnv>, shown: SettingsShown = {}, httpStatus: 200 | 400 = 200): Promise<Response> {
  const { identity, policy } = c.var;
  const [status, details, audit] = await Promise.all([
    reachState<UserStatus>(() => signedInUser(c).status(policy.enrollmentEpoch)),
    // The user's own factors (with when they were added and last used), devices and backup codes, as an admin sees them.
    reachState<UserDetails | null>(() => signedInUser(c).details(policy.enrollmentEpoch)),
    reachState<AuditEntry[]>(() => signedInUser(c).signInActivity(ACTIVITY_SHOWN)),
  ]);
  // `null` for a user the object has never noted: nothing enrolled, trusted or kept yet.
  const { factors, devices, backupCodesLeft } = details ?? { factors: [], devices: [], backupCodesLeft: 0 };
  const text = await requestText(c, policy);
  return renderPage(
    c,
    <SettingsPage
      branding={policy.branding}
      text={text}
      factors={factors}
      passkeysEnabled={policy.factors.webauthn.enabled}
      devices={devices}
      activity={audit}
      mayRemoveLast={!policy.enabled || !isRequired(policy, identity, status)}
      // A set made before the policy's count changed may hold more.
      backupCodes={{ left: backupCodesLeft, total: Math.max(backupCodesLeft, policy.factors.backupCodes.count) }}
      csrf={await sessionCsrf(c)}
      notice={shown.notice ? text.t(shown.notice) : null}
      newBackupCodes={shown.newBackupCodes ?? null}
      renameRefused={shown.renameRefused ?? null}
    />,
    httpStatus,
  );
}
