/**
 * @module
 * The policy's `notifications`: which security events a user is told of (by email, or by text
 * where a phone is their only address; docs/notifications.md), and how many alerts of a kind one
 * user may get in an hour. The security alerts are on by default: the owner of an account is the
 * first to notice a takeover when told. Approvals of money movement are off until a tenant names
 * the operations whose every approval its users want to hear of.
 */
import * as z from "zod";
import { OPERATION_NAME } from "./operation-schema";

/** A use of a backup code that leaves this many or fewer is worth an alert (`backupCodesLow`). */
export const BACKUP_CODES_LOW = 2;

const on = (description: string) => z.boolean().default(true).describe(description);

export const NotificationsSchema = z
  .strictObject({
    factorAdded: on("Tell the user a factor was added to their account (`factor.enrolled`): an authenticator app, a phone, an email address or a passkey."),
    factorRemoved: on("Tell the user a factor was removed (`factor.removed`), or their authenticator app replaced by another (`factor.replaced`)."),
    backupCodesRegenerated: on("Tell the user new backup codes were made and the old ones no longer work (`backup_codes.issued` with `regenerated`)."),
    backupCodesLow: on(
      `Tell the user a backup code was used and ${BACKUP_CODES_LOW} or fewer are left (\`backup_code.used\`): a use they did not make is someone else holding their codes.`,
    ),
    deviceTrusted: on('Tell the user a browser was trusted to skip verifications ("trust this device", `device.trusted`).'),
    lockout: on(
      "Tell the user they were locked after wrong answers (`lockout.started`), or locked until an admin unlocks them (`lockout.escalated`): someone may be guessing their codes.",
    ),
    adminReset: on("Tell the user an admin reset their two-factor verification (`user.reset`): every factor, backup code and trusted device removed."),
    newLocation: on("Tell the user of a sign-in from a country or network new to them (`signin.new_location`, recorded while `login.newLocation` is on)."),
    approvals: z
      .array(z.string().regex(OPERATION_NAME, "operation names are lower_snake_case"))
      .max(50)
      .default([])
      .describe(
        'The operations each approval of which the user is told of (`verify.ok`), with the fields the challenge showed (amount, payee…) as the approval page shows them: `["withdraw", "transfer"]`. None by default: every approval is a message, and the user was just there.',
      ),
    perKindPerHour: z
      .int()
      .min(1)
      .max(100)
      .default(5)
      .describe(
        "Alerts of one kind (the switches above; all approvals are one kind) sent to one user per hour; past it an alert is not sent, and audited as `alert.refused`. A budget of their own, apart from the codes' `sendLimits`: codes cannot use it up, nor alerts the codes'; and a flood of one kind (lockouts a guesser causes) cannot silence another (a factor added). A lock until an admin unlocks is always told: it happens once until then.",
      ),
  })
  .prefault({})
  .describe(
    "Security alerts to users, by email (or by text where a phone is their only address), in their language, through the providers of `factors.email` and `factors.sms`; never with a link that signs in or a code (docs/notifications.md).",
  );
export type NotificationSettings = z.infer<typeof NotificationsSchema>;

/** The kinds of alert, one per switch; all approvals are one kind. */
export type AlertKind = Exclude<keyof NotificationSettings, "approvals" | "perKindPerHour"> | "approval";
