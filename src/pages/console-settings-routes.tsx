/**
 * @module
 * `/__stepgate/admin/settings`: the security settings page (`policy:read`) and its save
 * (`policy:write`). A save sends the whole form with the ETag it was loaded with; the admin's
 * changed fields are written onto the stored policy and stored by the one policy write the admin
 * API uses (`storePolicy`: validated whole, credentials sealed, compare-and-swap, versioned and
 * audited with the admin). A refused save comes back on the form (422) with each error beside
 * its field; a save made on a version another admin has since replaced gets the conflict view
 * (409). Nothing is written on either.
 */
import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { ConsoleEnv } from "../app-env";
import { type Policy, PolicySchema } from "../config/policy-schema";
import { checkedConsoleForm, requireConsoleScope } from "../flows/console-access";
import { lastEnforcementChange, versionsSince } from "../flows/policy-versions";
import { MAX_POLICY_BYTES, parsedOrNull, storePolicy } from "../flows/policy-write";
import type { FieldError } from "../lib/json-body";
import { ProblemError, problem } from "../lib/problem";
import { reachState } from "../lib/reach-state";
import { tenantState } from "../state/tenant";
import type { StoredPolicy } from "../state/tenant/policy-history";
import { requestOrigin } from "../state/user/audit";
import { consoleFrame, frameAllows } from "./console-frame";
import { ConflictPage } from "./console-settings-conflict";
import { allFields, settingsForm } from "./console-settings-fields";
import { candidatePolicy, changedFields, keptValues, placeErrors, shownValues, submittedValues } from "./console-settings-form";
import { type FormValues, type SettingField, several, single } from "./console-settings-kinds";
import { SETTINGS_PATH, SettingsPage } from "./console-settings-page";
import { renderPage } from "./layout";

/**
 * The settings form carries the policy's lists (routes, shown fields, languages…), so it may be
 * far larger than the console's other forms: as large as a policy may be, URL-encoded (up to
 * three bytes sent per byte stored).
 */
const MAX_SETTINGS_FORM_BYTES = 3 * MAX_POLICY_BYTES;

/** The "apply my changes on top" form names the fields it carries here; a full form does not. */
const CHANGED = "changed[]";

/** A stored version, its JSON as stored (what a save writes onto) and as the code reads it (every default filled in). */
interface LoadedPolicy {
  stored: StoredPolicy;
  json: unknown;
  policy: Policy;
}

export const consoleSettings = new Hono<ConsoleEnv>();

consoleSettings.get("/", requireConsoleScope("policy:read"), async (c) => {
  const current = await currentPolicy(c);
  const notice = c.req.query("saved") !== undefined ? "saved" : c.req.query("unchanged") !== undefined ? "unchanged" : null;
  return renderSettings(c, current, { values: shownValues(allFields(settingsForm(current.policy)), current.policy), errors: null, notice }, 200);
});

consoleSettings.post(
  "/",
  requireConsoleScope("policy:write"),
  bodyLimit({
    maxSize: MAX_SETTINGS_FORM_BYTES,
    onError: () => problem(413, "body_too_large", `The settings form is at most ${MAX_SETTINGS_FORM_BYTES} bytes.`),
  }),
  async (c) => {
    const submitted = submittedValues(await checkedConsoleForm(c));
    const etag = single(submitted, "etag") ?? "";
    const current = await currentPolicy(c);
    // The admin's edits are told from the version their form was loaded from; when that one is
    // no longer kept, from the current one (then every field that differs from it is theirs).
    const loaded = etag === current.stored.etag ? current : ((await keptPolicy(c, etag)) ?? current);
    const fields = allFields(settingsForm(loaded.policy));
    const mine = myChanges(fields, loaded.policy, submitted);
    if (mine.length === 0) return c.redirect(`${SETTINGS_PATH}?unchanged`, 303);
    if (etag !== current.stored.etag) return renderConflict(c, etag, current, mine, submitted);
    const writer = { actor: c.var.admin.actor, origin: requestOrigin(c.req.raw) };
    try {
      await storePolicy(c.env, c.var.tenant.tenantId, current.stored, candidatePolicy(current.json, mine, submitted), writer);
    } catch (error) {
      if (!(error instanceof ProblemError)) throw error;
      if (error.status === 412) return renderConflict(c, etag, await currentPolicy(c), mine, submitted);
      if (error.code !== "validation_failed") throw error;
      // The form was loaded from the current version (a stale one met the conflict view above), so its fields are `fields`.
      // A full form's every input is the admin's; an "apply on top" form carried only their changes.
      const kept = keptValues(fields, current.policy, submitted, Object.hasOwn(submitted, CHANGED) ? mine : fields);
      const errors = placeErrors(fields, (error.extras.errors as FieldError[] | undefined) ?? []);
      return renderSettings(c, current, { values: kept, errors, notice: null }, 422);
    }
    return c.redirect(`${SETTINGS_PATH}?saved`, 303);
  },
);

/**
 * The fields the admin changed. A full form: each field whose value differs from what the form
 * showed for the version it was loaded from (the diff between what they loaded and what they
 * sent). An "apply my changes on top" form: the fields it names, which that diff gave the
 * first time; comparing them again against the new version would drop an edit that happens to
 * equal it, harmlessly, but also one the other admin changed back.
 */
function myChanges(fields: readonly SettingField[], loaded: Policy, submitted: FormValues): SettingField[] {
  if (!Object.hasOwn(submitted, CHANGED)) return changedFields(fields, loaded, submitted);
  const named = new Set(several(submitted, CHANGED));
  return fields.filter((field) => named.has(field.name));
}

async function renderSettings(
  c: Context<ConsoleEnv>,
  loaded: LoadedPolicy,
  shown: { values: FormValues; errors: ReturnType<typeof placeErrors> | null; notice: "saved" | "unchanged" | null },
  status: 200 | 422,
) {
  const frame = await consoleFrame(c, SETTINGS_PATH);
  const changedBy = loaded.policy.enforcementChangedAt ? await lastEnforcementChange(c.env, c.var.tenant.tenantId) : null;
  return renderPage(
    c,
    <SettingsPage
      frame={frame}
      form={settingsForm(loaded.policy)}
      policy={loaded.policy}
      etag={loaded.stored.etag}
      values={shown.values}
      errors={shown.errors}
      writable={frameAllows(frame, "policy:write")}
      changedBy={changedBy}
      notice={shown.notice}
    />,
    status,
  );
}

/** The conflict view: what was saved since `etag`, beside the admin's changes, to apply on top of `current`. */
async function renderConflict(c: Context<ConsoleEnv>, etag: string, current: LoadedPolicy, mine: SettingField[], submitted: FormValues) {
  const since = await versionsSince(c.env, c.var.tenant.tenantId, etag);
  return renderPage(
    c,
    <ConflictPage
      frame={await consoleFrame(c, SETTINGS_PATH)}
      fields={allFields(settingsForm(current.policy))}
      since={since}
      etag={current.stored.etag}
      mine={mine}
      submitted={submitted}
    />,
    409,
  );
}

/** The tenant's current policy, read from its object (not the isolate's cache: the form must carry the version it shows). */
async function currentPolicy(c: Context<ConsoleEnv>): Promise<LoadedPolicy> {
  const { tenantId } = c.var.tenant;
  const stored = await reachState(() => tenantState(c.env, tenantId).currentPolicy());
  const loaded = stored ? parsedVersion(stored) : null;
  if (!loaded) throw new ProblemError(503, "policy_invalid", `Tenant ${tenantId} has no valid policy.`, { tenant: tenantId });
  return loaded;
}

/** A kept version by its ETag, or `null` when none kept has it (or it no longer validates). */
async function keptPolicy(c: Context<ConsoleEnv>, etag: string): Promise<LoadedPolicy | null> {
  const stored = await reachState(() => tenantState(c.env, c.var.tenant.tenantId).policyVersionByEtag(etag));
  return stored ? parsedVersion(stored) : null;
}

function parsedVersion(stored: StoredPolicy): LoadedPolicy | null {
  const json = parsedOrNull(stored.text);
  const parsed = PolicySchema.safeParse(json);
  return parsed.success ? { stored, json, policy: parsed.data } : null;
}
