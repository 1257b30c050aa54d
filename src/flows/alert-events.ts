/**
 * @module
 * Which events of the stream warrant an alert to their user under the tenant's `notifications`
 * switches (docs/notifications.md), and of which kind: a pure function of the event and the
 * policy, used twice — by the stream's sink, to forward only those to the alerts' queue, and by
 * that queue's consumer, with the policy as it is when the alert is sent.
 */
import { type AlertKind, BACKUP_CODES_LOW, type NotificationSettings } from "../config/notification-settings";
import { type AlertType, isAlertType } from "../factors/alert-message";
import type { StreamEvent } from "../state/events";

/** The switch of each audit type an alert may be about (`verify.ok`: an approval, switched per operation). */
const SWITCHES: Readonly<Record<AlertType, AlertKind>> = {
  "factor.enrolled": "factorAdded",
  "factor.removed": "factorRemoved",
  "factor.replaced": "factorRemoved",
  "backup_codes.issued": "backupCodesRegenerated",
  "backup_code.used": "backupCodesLow",
  "device.trusted": "deviceTrusted",
  "lockout.started": "lockout",
  "lockout.escalated": "lockout",
  "user.reset": "adminReset",
  "signin.new_location": "newLocation",
  "verify.ok": "approval",
};

/**
 * Whether an event may warrant an alert whatever the policy says: one of a user, of a type an
 * alert is about. Most of the stream is not (a wrong code, a code sent, a directory row): the sink
 * reads no policy for a batch of only those.
 * @example
 * mayWarrantAlert({ type: "verify.failed", … }) // false
 */
export function mayWarrantAlert(event: Pick<StreamEvent, "type" | "userId">): boolean {
  return event.userId !== null && isAlertType(event.type);
}

/**
 * The kind of alert `event` warrants under `settings`, or `null` for none: its switch is off, or
 * it is not what the switch is about (backup codes issued with a first factor, a backup code used
 * with more than {@link BACKUP_CODES_LOW} left, an approval of an operation not named).
 * @example
 * alertKindOf({ type: "device.trusted", userId: "ann", detail: {} }, settings) // "deviceTrusted"
 */
export function alertKindOf(event: Pick<StreamEvent, "type" | "userId" | "detail">, settings: NotificationSettings): AlertKind | null {
  if (!mayWarrantAlert(event)) return null;
  const kind = SWITCHES[event.type as AlertType];
  const { detail } = event;
  if (kind === "approval") return typeof detail.operation === "string" && settings.approvals.includes(detail.operation) ? kind : null;
  if (kind === "backupCodesRegenerated" && detail.regenerated !== true) return null;
  if (kind === "backupCodesLow" && !(typeof detail.remaining === "number" && detail.remaining <= BACKUP_CODES_LOW)) return null;
  return settings[kind] ? kind : null;
}
