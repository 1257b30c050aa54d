/**
 * @module
 * What the tenant object returns and the queries it answers, as zod schemas: the one source of
 * these types. The admin API validates with and describes (OpenAPI) the same schemas.
 */
import * as z from "zod";
import { AdminScope } from "../../config/admins-schema";
import { PolicyChange } from "../../config/policy-diff";
import { decodeDirectoryCursor, DIRECTORY_SORT_COLUMNS as SORT_COLUMNS, type DirectorySortColumn } from "../../lib/directory-cursor";
import { DirectoryChange, MessageId, StreamEvent } from "../events";
import { DeliveryId, EventTypePattern, WebhookDelivery, WebhookEventId, WebhookId } from "../webhook-messages";
import { AlertDelivery, AlertDeliveryId } from "../alert-messages";

export { PolicyChange };

export { AdminScope, ALL_SCOPES } from "../../config/admins-schema";

export const UserId = z.string().min(1).max(256).describe("The portal's user id (the session JWT's user claim).");

export const ApiKeyView = z.object({
  id: z.string(),
  name: z.string(),
  scopes: z.array(AdminScope),
  createdAt: z.string(),
  createdBy: z.string(),
  lastUsedAt: z.string().nullable(),
});
export type ApiKeyView = z.infer<typeof ApiKeyView>;

export const UserStatusName = z.enum(["not_enrolled", "pending", "enrolled"]);
export const FactorKind = z.enum(["totp", "sms", "email", "webauthn"]);

export type { DirectorySortColumn };

export const DirectoryQuery = z
  .strictObject({
    status: z
      .enum([...UserStatusName.options, "locked", "locked_until_unlock"])
      .optional()
      .describe("An enrolment status, or `locked` (locked out now, for a time or until an admin unlocks), or `locked_until_unlock` (only the latter)."),
    factor: FactorKind.optional(),
    required: z
      .enum(["true", "false"])
      .transform((v) => v === "true")
      .optional()
      .describe("Marked required (true) or exempt (false) by an admin."),
    q: z.string().trim().min(1).max(256).optional().describe("A prefix of the user id or email."),
    sort: z
      .enum([...SORT_COLUMNS, ...SORT_COLUMNS.map((c) => `-${c}` as const)])
      .default("user_id")
      .transform((sort) => ({ column: sort.replace(/^-/, "") as DirectorySortColumn, descending: sort.startsWith("-") })),
    cursor: z.string().max(1024).optional().describe("`nextCursor` of the previous page, with the same sort."),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .transform(({ cursor, ...query }, ctx) => {
    if (cursor === undefined) return { ...query, after: null };
    const after = decodeDirectoryCursor(cursor, query.sort.column, query.sort.descending);
    if (!after) {
      ctx.addIssue({ code: "custom", path: ["cursor"], message: "not a cursor from this listing and sort; start again without one" });
      return z.NEVER;
    }
    return { ...query, after };
  });
export type DirectoryQuery = z.output<typeof DirectoryQuery>;

export const DirectoryEntry = z.object({
  userId: z.string(),
  email: z.string().nullable(),
  status: UserStatusName,
  factors: z.array(FactorKind),
  locked: z.boolean(),
  lockedUntil: z.string().nullable().describe("When a temporary lockout ends; null when there is none, or the user is locked until an admin unlocks."),
  lockedUntilUnlock: z.boolean().describe("Locked after `lockout.maxTemporaryLockouts` temporary lockouts, until an admin unlocks (`POST /users/:id/unlock`)."),
  requiredByAdmin: z.boolean().nullable(),
  enrolledAt: z.string().nullable(),
  firstSeenAt: z.string(),
  lastSeenAt: z
    .string()
    .nullable()
    .describe("When the user last came through stepgate themself, to within 15 minutes; null when not since stepgate began noting it."),
  updatedAt: z.string(),
});
export type DirectoryEntry = z.infer<typeof DirectoryEntry>;

/** How many users the directory holds, by enrolment status (as the listing's `status` filter finds them). */
export const DirectoryCounts = z.object({
  total: z.number().int().describe("Every user stepgate has seen."),
  enrolled: z.number().int(),
  pending: z.number().int().describe("Started enrolling; the first code has not been confirmed yet."),
  notEnrolled: z.number().int(),
});
export type DirectoryCounts = z.infer<typeof DirectoryCounts>;

export const AuditQuery = z.strictObject({
  user: UserId.optional(),
  type: z
    .string()
    .max(64)
    .regex(/^[a-z_.]+\*?$/, "an entry type like verify.failed, or a prefix ending in * (verify.*)")
    .optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
  cursor: z.coerce.number().int().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type AuditQuery = z.output<typeof AuditQuery>;

export const TenantAuditEntry = z.object({
  seq: z.number(),
  at: z.string(),
  type: z.string(),
  user: z.string().nullable(),
  actor: z
    .string()
    .nullable()
    .describe(
      "Who acted: `bootstrap`, `key:<id>` (the API or a console session opened with that key), `user:<userId>` (a portal admin in the console), or null for the user themself.",
    ),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()),
});
export type TenantAuditEntry = z.infer<typeof TenantAuditEntry>;

export const PolicyVersion = z.object({
  version: z.number(),
  at: z.string(),
  actor: z.string(),
  etag: z.string(),
  changes: z.array(PolicyChange),
});
export type PolicyVersion = z.infer<typeof PolicyVersion>;

/** A directory change as the dead-letter list shows it: whose and which version (the row itself, with its email, is `users:read`'s: `GET /users/{id}`). */
export const DeadDirectoryChange = DirectoryChange.pick({ kind: true, id: true, tenantId: true }).extend({
  userId: z.string(),
  version: z.number().int(),
});

export const DeadEvent = z.object({
  id: z
    .union([MessageId, DeliveryId, AlertDeliveryId])
    .describe("The stream message's id, a webhook delivery's (`<webhook id>.<event id>`), or a user's alert's (`alert.<event id>`)."),
  queue: z
    .string()
    .describe(
      "The queue it died on: `stepgate-events` (the event stream: its consumers failed), `stepgate-webhooks` (a webhook's endpoint failed) or `stepgate-notifications` (a security alert to the user could not be sent).",
    ),
  deadAt: z.string().describe("When it was dead-lettered: every delivery of it had failed."),
  message: z.discriminatedUnion("kind", [StreamEvent, DeadDirectoryChange, WebhookDelivery, AlertDelivery]),
});
export type DeadEvent = z.infer<typeof DeadEvent>;

export const DeadEventsQuery = z.strictObject({
  cursor: z.coerce.number().int().min(1).optional().describe("`nextCursor` of the previous page."),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type DeadEventsQuery = z.output<typeof DeadEventsQuery>;

/** Who may be sent what: a webhook as the admin API shows it (never its secret). */
export const WebhookView = z.object({
  id: WebhookId,
  url: z.string(),
  eventTypes: z.array(EventTypePattern),
  description: z.string(),
  enabled: z.boolean(),
  disabledReason: z
    .enum(["gone"])
    .nullable()
    .describe("`gone`: stepgate turned it off when its endpoint answered 410 Gone; `null` while enabled or turned off by an admin."),
  createdAt: z.string(),
  createdBy: z.string(),
  previousSecretValidUntil: z
    .string()
    .nullable()
    .describe("After a rotation, until when deliveries are signed with the previous secret too (24 hours); `null` otherwise."),
});
export type WebhookView = z.infer<typeof WebhookView>;

/** One attempt to deliver an event to a webhook. */
export const WebhookAttemptView = z.object({
  eventId: WebhookEventId,
  type: z.string(),
  attempt: z.number().int().describe("Which attempt of this message this was, from 1 (a replay starts again at 1)."),
  status: z.number().int().nullable().describe("The endpoint's HTTP status; `null` when it gave none (see `error`)."),
  error: z.string().nullable().describe("Why there was no answer: `timeout`, a network error, or a refused destination."),
  delivered: z.boolean().describe("Whether the endpoint took it (a 2xx)."),
  durationMs: z.number().int(),
  at: z.string(),
});
export type WebhookAttemptView = z.infer<typeof WebhookAttemptView>;
