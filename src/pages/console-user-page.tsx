/**
 * @module
 * One user in the console: their status, factors, backup codes left, trusted devices, lockout,
 * the admin's requirement and recent activity, with the actions an admin holding `users:write`
 * may take (revoke a device, unlock, require / exempt / follow the policy, reset through its
 * confirmation page); an admin without it sees why instead. Also the page for a user stepgate
 * has not seen.
 */
import type { FC } from "hono/jsx";
import type { UserOverview } from "../flows/user-administration";
import type { ConsoleFrame } from "./console-frame";
import { frameAllows } from "./console-frame";
import { ConsoleLayout } from "./console-layout";
import { adminActivityEvent } from "./console-user-activity";
import { requirementWord, STATUS_WORDS, timeWord } from "./console-user-words";
import { USERS_PATH, userHref } from "./console-users-paths";
import type { PageText } from "./i18n/page-text";
import { ErrorNote, Ltr } from "./layout";
import { Activity } from "./settings-activity";
import { deviceLabel, FactorLabel } from "./settings-page";

const USER_CSS = `
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.35rem 1rem;margin:0}
dl.facts dt{font-weight:600}
dl.facts dd{margin:0}
fieldset{border:0;margin:0;padding:0}
legend{font-weight:600;padding:0}
`;

/** The three answers of the requirement form, as the form sends them. */
export const REQUIREMENT_CHOICES = { require: true, exempt: false, policy: null } as const;
export type RequirementChoice = keyof typeof REQUIREMENT_CHOICES;

export interface UserPageProps {
  frame: ConsoleFrame;
  userId: string;
  user: UserOverview;
  /** What the admin's last action did, said once after its redirect. */
  notice: string | null;
  /** The requirement form came back without one of its three answers. */
  requirementRefused: boolean;
}

/**
 * @example
 * renderPage(c, <UserPage frame={frame} userId="alice" user={overview} notice={null} requirementRefused={false} />)
 */
export const UserPage: FC<UserPageProps> = ({ frame, userId, user, notice, requirementRefused }) => {
  const { text, csrf } = frame;
  const { entry, details } = user;
  const mayChange = frameAllows(frame, "users:write");
  const readOnly = (
    <p class="muted read-only" data-read-only>
      {text.t("console.users.readOnly")}
    </p>
  );
  return (
    <ConsoleLayout frame={frame} title={text.t("console.users.userTitle", { user: userId })} css={USER_CSS}>
      <p>
        <a href={USERS_PATH}>{text.t("console.users.allUsers")}</a>
      </p>
      {notice ? (
        <p class="card" role="status" id="notice">
          {notice}
        </p>
      ) : null}
      <section class="card" aria-labelledby="summary-heading">
        <h2 id="summary-heading">{text.t("console.users.summary")}</h2>
        <dl class="facts" id="summary">
          <dt>{text.t("console.users.column.user")}</dt>
          <dd>
            <Ltr text={text}>{userId}</Ltr>
          </dd>
          <dt>{text.t("console.users.column.email")}</dt>
          <dd>{entry?.email ? <Ltr text={text}>{entry.email}</Ltr> : text.t("console.users.none")}</dd>
          <dt>{text.t("console.users.column.status")}</dt>
          <dd id="status">{text.t(STATUS_WORDS[statusOf(user)])}</dd>
          <dt>{text.t("console.users.column.enrolled")}</dt>
          <dd>{timeWord(text, entry?.enrolledAt ?? null)}</dd>
          <dt>{text.t("console.users.firstSeen")}</dt>
          <dd>{timeWord(text, entry?.firstSeenAt ?? null)}</dd>
          <dt>{text.t("console.users.column.lastSeen")}</dt>
          <dd>{timeWord(text, entry?.lastSeenAt ?? null)}</dd>
        </dl>
      </section>
      <section class="card" aria-labelledby="factors-heading">
        <h2 id="factors-heading">{text.t("console.users.column.factors")}</h2>
        {details.factors.length === 0 ? <p>{text.t("console.users.noFactors")}</p> : null}
        <ul class="rows" id="factors">
          {details.factors.map((factor) => (
            <li data-factor={factor.kind}>
              <span>
                <FactorLabel text={text} factor={factor} />
              </span>
              <span class="muted">{text.t("console.users.factorAdded", { time: text.dateTime(factor.createdAt) })}</span>
            </li>
          ))}
        </ul>
        <p id="backup-left">{text.t("console.users.backupLeft", { count: details.backupCodesLeft })}</p>
      </section>
      <section class="card" aria-labelledby="devices-heading">
        <h2 id="devices-heading">{text.t("settings.devices")}</h2>
        {details.devices.length === 0 ? <p>{text.t("console.users.noDevices")}</p> : null}
        <ul class="rows" id="devices">
          {details.devices.map((device) => (
            <li data-device={device.id}>
              <span id={`device-${device.id}`}>
                {text.t("settings.lastUsed", { device: deviceLabel(text, device.name), time: text.dateTime(device.lastUsedAt) })}
                {device.ip ? (
                  <span class="muted">
                    {" · "}
                    <Ltr text={text}>{device.ip}</Ltr>
                  </span>
                ) : null}
              </span>
              {mayChange ? (
                <form method="post" action={userHref(userId, "devices", device.id, "revoke")}>
                  <input type="hidden" name="csrf" value={csrf} />
                  <button type="submit" class="secondary compact" aria-describedby={`device-${device.id}`}>
                    {text.t("settings.stopTrusting")}
                  </button>
                </form>
              ) : null}
            </li>
          ))}
        </ul>
        {details.devices.length > 0 && !mayChange ? readOnly : null}
      </section>
      <section class="card" aria-labelledby="lock-heading">
        <h2 id="lock-heading">{text.t("console.users.lockout")}</h2>
        <p id="lock-state">
          {details.lockedUntilUnlock
            ? text.t("console.users.lockedUntilUnlockLong")
            : details.lockedUntil
              ? text.t("console.users.lockedUntilLong", { time: text.dateTime(details.lockedUntil) })
              : text.t("console.users.notLockedLong")}
        </p>
        {details.lockedUntil || details.lockedUntilUnlock ? (
          mayChange ? (
            <form method="post" action={userHref(userId, "unlock")}>
              <input type="hidden" name="csrf" value={csrf} />
              <button type="submit" class="compact">
                {text.t("console.users.unlock")}
              </button>
            </form>
          ) : (
            readOnly
          )
        ) : null}
      </section>
      <section class="card" aria-labelledby="requirement-heading">
        <h2 id="requirement-heading">{text.t("console.users.requirement")}</h2>
        {mayChange ? (
          <RequirementForm text={text} csrf={csrf} userId={userId} current={details.requiredByAdmin} refused={requirementRefused} />
        ) : (
          <>
            <p id="requirement">{requirementWord(text, details.requiredByAdmin)}</p>
            {readOnly}
          </>
        )}
      </section>
      <section class="card" aria-labelledby="reset-heading">
        <h2 id="reset-heading">{text.t("console.users.reset")}</h2>
        <p>{text.t("console.users.resetHelp")}</p>
        {mayChange ? (
          <a class="button secondary" href={userHref(userId, "reset")} id="reset">
            {text.t("console.users.reset")}
          </a>
        ) : (
          readOnly
        )}
      </section>
      <section class="card" aria-labelledby="activity-heading">
        <h2 id="activity-heading">{text.t("console.users.activity")}</h2>
        {user.recentActivity.length === 0 ? <p>{text.t("console.users.noActivity")}</p> : null}
        <Activity text={text} entries={user.recentActivity} describe={adminActivityEvent} />
      </section>
      <p class="muted">{text.t("layout.timeZone", { zone: text.zoneName() })}</p>
    </ConsoleLayout>
  );
};

/** The user's own object knows their factors now; the directory, whether an enrolment is under way. */
function statusOf({ details, entry }: UserOverview): "enrolled" | "pending" | "not_enrolled" {
  if (details.factors.length > 0) return "enrolled";
  return entry?.status === "pending" ? "pending" : "not_enrolled";
}

/** Require, exempt or follow the policy: three radio buttons, the current one checked, in one form. */
const RequirementForm: FC<{ text: PageText; csrf: string; userId: string; current: boolean | null; refused: boolean }> = ({
  text,
  csrf,
  userId,
  current,
  refused,
}) => (
  <form method="post" action={userHref(userId, "requirement")}>
    <input type="hidden" name="csrf" value={csrf} />
    <fieldset aria-describedby={refused ? "requirement-error" : undefined}>
      <legend>{text.t("console.users.requirementQuestion")}</legend>
      {(Object.entries(REQUIREMENT_CHOICES) as Array<[RequirementChoice, boolean | null]>).map(([choice, required]) => (
        <label class="check">
          <input type="radio" name="required" value={choice} checked={current === required} aria-invalid={refused ? "true" : undefined} />{" "}
          {text.t(`console.users.requirement.${choice}`)}
        </label>
      ))}
    </fieldset>
    {refused ? (
      <div id="requirement-error">
        <ErrorNote message={text.t("console.users.requirement.refused")} />
      </div>
    ) : null}
    <button type="submit" class="compact">
      {text.t("console.users.requirement.save")}
    </button>
  </form>
);

/**
 * A user stepgate has not seen (404): nothing to show or change.
 * @example
 * renderPage(c, <UserNotFoundPage frame={frame} userId="ghost" />, 404)
 */
export const UserNotFoundPage: FC<{ frame: ConsoleFrame; userId: string }> = ({ frame, userId }) => {
  const { text } = frame;
  return (
    <ConsoleLayout frame={frame} title={text.t("console.users.notFoundTitle")}>
      <p class="card" id="not-found">
        {text.parts("console.users.notFound", { user: <Ltr text={text}>{userId}</Ltr> })}
      </p>
      <p>
        <a href={USERS_PATH}>{text.t("console.users.allUsers")}</a>
      </p>
    </ConsoleLayout>
  );
};
