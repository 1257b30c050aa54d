/**
 * @module
 * The user's own settings: factors (add, replace the authenticator app, rename a passkey,
 * remove where allowed), backup codes and how many are left, trusted devices and recent
 * activity, its times in the visitor's time zone (named on the page), and the way back to the
 * portal. One `h1` (the layout's), an `h2` per section.
 */
import { BACKUP_CODES_CSS, BackupCodeList } from "./backup-code-list";
import type { FC } from "hono/jsx";
import type { AuditEntry } from "../state/user/audit";
import type { DeviceView, FactorDetail, FactorSummary } from "../state/user";
import type { PageText } from "./i18n/page-text";
import { Layout, Ltr, type Branding } from "./layout";
import { Activity, FACTOR_NAMES } from "./settings-activity";
import { PASSKEY_CSS, PasskeyLabel, PasskeyRow, type RenameRefusal } from "./settings-passkeys";

export interface SettingsPageProps {
  branding: Branding;
  text: PageText;
  /** The confirmed factors, with when they were added and last used (shown for passkeys). */
  factors: FactorDetail[];
  /** Whether the policy lets the user add a passkey. */
  passkeysEnabled: boolean;
  devices: DeviceView[];
  activity: AuditEntry[];
  /** Whether the last factor may be removed (2FA is optional for this user). */
  mayRemoveLast: boolean;
  /** Backup codes the user has left, of how many a set holds. */
  backupCodes: { left: number; total: number };
  csrf: string;
  notice: string | null;
  /** New backup codes, shown once right after they were made. */
  newBackupCodes: string[] | null;
  /** A passkey name the rename form refused, shown beside that passkey's form. */
  renameRefused: RenameRefusal | null;
}

/** The name a device was given when trusted (`deviceName`: "Chrome on Android"), in the page's language. */
const DEVICE_NAME = /^(Edge|Firefox|Chrome|Safari|Browser) on (Android|iOS|Windows|macOS|Linux|an unknown system)$/;

export function deviceLabel(text: PageText, name: string): string {
  const [, browser, system] = DEVICE_NAME.exec(name) ?? [];
  if (!browser || !system) return name;
  return text.t("settings.device", {
    browser: browser === "Browser" ? text.t("settings.browser") : browser,
    system: system === "an unknown system" ? text.t("settings.unknownSystem") : system,
  });
}

/** A factor by its kind in the page's language, and where its codes go; a passkey by its name. */
export const FactorLabel: FC<{ text: PageText; factor: FactorSummary }> = ({ text, factor }) =>
  factor.kind === "webauthn" ? (
    <PasskeyLabel text={text} factor={factor} />
  ) : (
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
 * renderPage(c, <SettingsPage branding={…} text={text} factors={…} devices={…} activity={…} backupCodes={{ left: 7, total: 10 }} … />)
 */
export const SettingsPage: FC<SettingsPageProps> = (props) => {
  const { text, branding } = props;
  const canRemove = props.factors.length > 1 || props.mayRemoveLast;
  // A GET to the "are you sure?" page, which holds the form that removes it.
  const removeButton = (f: FactorSummary) =>
    canRemove ? (
      <form method="get" action={`/__stepgate/settings/factors/${f.id}/remove`}>
        <button type="submit" class="secondary compact" aria-describedby={`factor-${f.id}`}>
          {text.t("settings.remove")}
        </button>
      </form>
    ) : null;
  const css = `${props.factors.some((f) => f.kind === "webauthn") ? PASSKEY_CSS : ""}${props.newBackupCodes ? BACKUP_CODES_CSS : ""}`;
  return (
    <Layout branding={branding} text={text} title={text.t("settings.title")} css={css || undefined}>
      <p>
        <a href={branding.portalUrl ?? "/"} id="portal">
          {text.t("settings.backToPortal", { portal: branding.name })}
        </a>
      </p>
      {props.notice ? (
        <p class="card" role="status">
          {props.notice}
        </p>
      ) : null}
      <section class="card" aria-labelledby="factors-heading">
        <h2 id="factors-heading">{text.t("settings.factors")}</h2>
        {props.factors.length === 0 ? <p>{text.t("settings.noFactors")}</p> : null}
        <ul class="rows" id="factors">
          {props.factors.map((f) =>
            f.kind === "webauthn" ? (
              <PasskeyRow
                text={text}
                factor={f}
                csrf={props.csrf}
                remove={removeButton(f)}
                refused={props.renameRefused?.factorId === f.id ? props.renameRefused : null}
              />
            ) : (
              <li>
                <span id={`factor-${f.id}`}>
                  <FactorLabel text={text} factor={f} />
                </span>
                <span class="actions">
                  {f.kind === "totp" ? (
                    // The enrolment page for a new app that takes this one's place (one app per user).
                    <form method="get" action="/__stepgate/enroll">
                      <input type="hidden" name="factor" value="totp" />
                      <input type="hidden" name="replace" value={f.id} />
                      <button type="submit" class="secondary compact" aria-describedby={`factor-${f.id}`}>
                        {text.t("settings.replace")}
                      </button>
                    </form>
                  ) : null}
                  {removeButton(f)}
                </span>
              </li>
            ),
          )}
        </ul>
        <p>
          <a href="/__stepgate/enroll">{text.t("settings.addFactor")}</a>
        </p>
        {props.passkeysEnabled ? (
          <p>
            <a href="/__stepgate/enroll?factor=webauthn" id="add-passkey">
              {text.t("settings.passkeyAdd")}
            </a>
          </p>
        ) : null}
      </section>
      {props.factors.length > 0 ? (
        <section class="card" aria-labelledby="backup-heading">
          <h2 id="backup-heading">{text.t("settings.backupCodes")}</h2>
          {props.newBackupCodes ? (
            <BackupCodeList text={text} portal={branding.name} codes={props.newBackupCodes} />
          ) : (
            <>
              <p id="backup-left">
                <strong>{text.t("settings.backupLeft", { count: props.backupCodes.left, total: props.backupCodes.total })}</strong>
              </p>
              <p>{text.t("settings.backupHelp")}</p>
            </>
          )}
          <form method="post" action="/__stepgate/settings/backup-codes">
            <input type="hidden" name="csrf" value={props.csrf} />
            <button type="submit" class="secondary compact">
              {text.t("settings.newBackupCodes")}
            </button>
          </form>
        </section>
      ) : null}
      <section class="card" aria-labelledby="devices-heading">
        <h2 id="devices-heading">{text.t("settings.devices")}</h2>
        {props.devices.length === 0 ? <p>{text.t("settings.noDevices")}</p> : null}
        <ul class="rows" id="devices">
          {props.devices.map((d) => (
            <li>
              <span id={`device-${d.id}`}>{text.t("settings.lastUsed", { device: deviceLabel(text, d.name), time: text.dateTime(d.lastUsedAt) })}</span>
              <form method="post" action={`/__stepgate/settings/devices/${d.id}/revoke`}>
                <input type="hidden" name="csrf" value={props.csrf} />
                <button type="submit" class="secondary compact" aria-describedby={`device-${d.id}`}>
                  {text.t("settings.stopTrusting")}
                </button>
              </form>
            </li>
          ))}
        </ul>
      </section>
      <section class="card" aria-labelledby="activity-heading">
        <h2 id="activity-heading">{text.t("settings.activity")}</h2>
        <Activity text={text} entries={props.activity} />
      </section>
      <p class="muted">{text.t("layout.timeZone", { zone: text.zoneName() })}</p>
    </Layout>
  );
};
