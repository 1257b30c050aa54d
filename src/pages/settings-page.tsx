/**
 * @module
 * The user's own settings: factors (add, remove where allowed), backup codes, trusted devices
 * and recent sign-in activity.
 */
import type { FC } from "hono/jsx";
import type { AuditEntry } from "../state/user/audit";
import type { DeviceView, FactorSummary } from "../state/user";
import { Layout, type Branding } from "./layout";

export interface SettingsPageProps {
  branding: Branding;
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

const FACTOR_NAMES: Record<string, string> = { totp: "Authenticator app", sms: "Text message", email: "Email" };
const ACTIVITY: Record<string, string> = {
  "verify.ok": "Verified",
  "verify.failed": "Wrong code",
  "login.trusted_device": "Signed in on a trusted device",
  "lockout.started": "Locked after wrong codes",
  "factor.enrolled": "Factor added",
  "factor.removed": "Factor removed",
  "device.trusted": "Device trusted",
  "device.revoked": "Device removed",
};

/**
 * @example
 * renderPage(c, <SettingsPage branding={…} factors={…} devices={…} activity={…} … />)
 */
export const SettingsPage: FC<SettingsPageProps> = (props) => {
  const canRemove = props.factors.length > 1 || props.mayRemoveLast;
  return (
    <Layout branding={props.branding} title="Two-factor verification">
      {props.notice ? (
        <p class="card" role="status">
          {props.notice}
        </p>
      ) : null}
      <h2>Your factors</h2>
      <div class="card">
        {props.factors.length === 0 ? <p>None yet.</p> : null}
        <ul id="factors">
          {props.factors.map((f) => (
            <li>
              {FACTOR_NAMES[f.kind] ?? f.kind}
              {f.destination ? ` (${f.destination})` : ""}
              {canRemove ? (
                <form method="post" action={`/__stepgate/settings/factors/${f.id}/remove`}>
                  <input type="hidden" name="csrf" value={props.csrf} />
                  <button type="submit" class="secondary">
                    Remove
                  </button>
                </form>
              ) : null}
            </li>
          ))}
        </ul>
        <p>
          <a href="/__stepgate/enroll">Add a factor</a>
        </p>
      </div>
      {props.factors.length > 0 ? (
        <>
          <h2>Backup codes</h2>
          <div class="card">
            {props.backupCodes ? (
              <ol class="codes" id="backup-codes">
                {props.backupCodes.map((code) => (
                  <li>{code}</li>
                ))}
              </ol>
            ) : (
              <p>Each code lets you in once if you lose your phone. Making new ones cancels the old ones.</p>
            )}
            <form method="post" action="/__stepgate/settings/backup-codes">
              <input type="hidden" name="csrf" value={props.csrf} />
              <button type="submit" class="secondary">
                Make new backup codes
              </button>
            </form>
          </div>
        </>
      ) : null}
      <h2>Trusted devices</h2>
      <div class="card">
        {props.devices.length === 0 ? <p>No device is trusted.</p> : null}
        <ul id="devices">
          {props.devices.map((d) => (
            <li>
              {d.name}, last used {d.lastUsedAt.slice(0, 16).replace("T", " ")} UTC
              <form method="post" action={`/__stepgate/settings/devices/${d.id}/revoke`}>
                <input type="hidden" name="csrf" value={props.csrf} />
                <button type="submit" class="secondary">
                  Stop trusting
                </button>
              </form>
            </li>
          ))}
        </ul>
      </div>
      <h2>Recent activity</h2>
      <div class="card">
        <ul id="activity">
          {props.activity.map((e) => (
            <li>
              {e.at.slice(0, 16).replace("T", " ")} UTC — {ACTIVITY[e.type] ?? e.type}
              {e.ip ? ` from ${e.ip}` : ""}
            </li>
          ))}
        </ul>
      </div>
    </Layout>
  );
};
