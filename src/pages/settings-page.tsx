/**
 * @module
 * The user's own settings: factors (add, remove where allowed), backup codes, trusted devices
 * and recent sign-in activity, its times in the visitor's time zone (named on the page).
 */
import type { FC } from "hono/jsx";
import type { AuditEntry } from "../state/user/audit";
import type { DeviceView, FactorSummary } from "../state/user";
import type { PageKey } from "./i18n/catalogue";
import type { PageText } from "./i18n/page-text";
import { Layout, Ltr, type Branding } from "./layout";

export interface SettingsPageProps {
  branding: Branding;
  text: PageText;
  factors: FactorSummary[];
  devices: DeviceView[];
  activity: AuditEntry[];
  /** Whether the last factor may be removed (2FA is optional for this user). */
  mayRemoveLast: boolean;
  csrf: string;
  notice: string | null;
  /** New backup codes, shown once right after they were made. */
  backupCodes: string[] | null;
}

const FACTOR_NAMES: Readonly<Record<string, PageKey>> = { totp: "factor.totp", sms: "factor.sms", email: "factor.email" };
const ACTIVITY: Readonly<Record<string, PageKey>> = {
  "verify.ok": "activity.verify.ok",
  "verify.failed": "activity.verify.failed",
  "login.trusted_device": "activity.login.trusted_device",
  "lockout.started": "activity.lockout.started",
  "factor.enrolled": "activity.factor.enrolled",
  "factor.removed": "activity.factor.removed",
  "device.trusted": "activity.device.trusted",
  "device.revoked": "activity.device.revoked",
};

/** The name a device was given when trusted (`deviceName`: "Chrome on Android"), in the page's language. */
const DEVICE_NAME = /^(Edge|Firefox|Chrome|Safari|Browser) on (Android|iOS|Windows|macOS|Linux|an unknown system)$/;

function deviceLabel(text: PageText, name: string): string {
  const [, browser, system] = DEVICE_NAME.exec(name) ?? [];
  if (!browser || !system) return name;
  return text.t("settings.device", {
    browser: browser === "Browser" ? text.t("settings.browser") : browser,
    system: system === "an unknown system" ? text.t("settings.unknownSystem") : system,
  });
}

/** A factor by its kind in the page's language, and where its codes go. */
export const FactorLabel: FC<{ text: PageText; factor: FactorSummary }> = ({ text, factor }) => (
  <>
    {FACTOR_NAMES[factor.kind] ? text.t(FACTOR_NAMES[factor.kind]!) : factor.kind}
    {factor.destination ? (
      <>
        {" ("}
        <Ltr text={text}>{factor.destination}</Ltr>
        {")"}
      </>
    ) : null}
  </>
);

/**
 * @example
 * renderPage(c, <SettingsPage branding={…} text={text} factors={…} devices={…} activity={…} … />)
 */
export const SettingsPage: FC<SettingsPageProps> = (props) => {
  const { text } = props;
  const canRemove = props.factors.length > 1 || props.mayRemoveLast;
  return (
    <Layout branding={props.branding} text={text} title={text.t("settings.title")}>
      {props.notice ? (
        <p class="card" role="status">
          {props.notice}
        </p>
      ) : null}
      <h2>{text.t("settings.factors")}</h2>
      <div class="card">
        {props.factors.length === 0 ? <p>{text.t("settings.noFactors")}</p> : null}
        <ul id="factors">
          {props.factors.map((f) => (
            <li>
              <FactorLabel text={text} factor={f} />
              {canRemove ? (
                // A GET to the "are you sure?" page, which holds the form that removes it.
                <form method="get" action={`/__stepgate/settings/factors/${f.id}/remove`}>
                  <button type="submit" class="secondary">
                    {text.t("settings.remove")}
                  </button>
                </form>
              ) : null}
            </li>
          ))}
        </ul>
        <p>
          <a href="/__stepgate/enroll">{text.t("settings.addFactor")}</a>
        </p>
      </div>
      {props.factors.length > 0 ? (
        <>
          <h2>{text.t("settings.backupCodes")}</h2>
          <div class="card">
            {props.backupCodes ? (
              <ol class="codes" id="backup-codes">
                {props.backupCodes.map((code) => (
                  <li>{code}</li>
                ))}
              </ol>
            ) : (
              <p>{text.t("settings.backupHelp")}</p>
            )}
            <form method="post" action="/__stepgate/settings/backup-codes">
              <input type="hidden" name="csrf" value={props.csrf} />
              <button type="submit" class="secondary">
                {text.t("settings.newBackupCodes")}
              </button>
            </form>
          </div>
        </>
      ) : null}
      <h2>{text.t("settings.devices")}</h2>
      <div class="card">
        {props.devices.length === 0 ? <p>{text.t("settings.noDevices")}</p> : null}
        <ul id="devices">
          {props.devices.map((d) => (
            <li>
              {text.t("settings.lastUsed", { device: deviceLabel(text, d.name), time: text.dateTime(d.lastUsedAt) })}
              <form method="post" action={`/__stepgate/settings/devices/${d.id}/revoke`}>
                <input type="hidden" name="csrf" value={props.csrf} />
                <button type="submit" class="secondary">
                  {text.t("settings.stopTrusting")}
                </button>
              </form>
            </li>
          ))}
        </ul>
      </div>
      <h2>{text.t("settings.activity")}</h2>
      <div class="card">
        <ul id="activity">
          {props.activity.map((e) => {
            const event = ACTIVITY[e.type] ? text.t(ACTIVITY[e.type]!) : e.type;
            const time = text.dateTime(e.at);
            return (
              <li>
                {e.ip
                  ? text.parts("settings.activityFrom", { time, event, ip: <Ltr text={text}>{e.ip}</Ltr> })
                  : text.t("settings.activityAt", { time, event })}
              </li>
            );
          })}
        </ul>
      </div>
      <p class="muted">{text.t("layout.timeZone", { zone: text.zoneName() })}</p>
    </Layout>
  );
};
