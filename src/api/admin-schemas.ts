/**
 * @module
 * The admin API's shapes as zod schemas: the one source for validating requests, typing the
 * code and describing the API in OpenAPI (`openapi-document.ts`).
 */
import * as z from "zod";
import { AUDIT_EXPORT_FORMATS } from "../flows/audit-export";
import { ApiKeyView, AuditQuery, DirectoryEntry, WebhookView } from "../state/tenant/views";
import { KeyRequest } from "../flows/api-keys";
import { WebhookChange, WebhookRequest } from "../flows/webhooks";
import { UserDetails } from "../state/user/views";
import { ActivityEntry } from "./user-schemas";

export {
  AdminScope,
  ALL_SCOPES,
  UserId,
  ApiKeyView,
  UserStatusName,
  FactorKind,
  type DirectorySortColumn,
  DirectoryQuery,
  DirectoryEntry,
  DirectoryCounts,
  AuditQuery,
  TenantAuditEntry,
  PolicyChange,
  PolicyVersion,
  DeadEvent,
  DeadEventsQuery,
  WebhookView,
  WebhookAttemptView,
} from "../state/tenant/views";
export { MessageId } from "../state/events";
export { DeliveryId, WebhookEventId, WebhookId } from "../state/webhook-messages";
export { AlertDeliveryId } from "../state/alert-messages";

/** `POST /keys`: the rules of a new key are the console's too (`flows/api-keys.ts`). */
export const CreateKeyBody = KeyRequest;

export const CreatedKey = ApiKeyView.extend({ key: z.string().describe("The secret, shown this once.") });

/** `GET /audit/export`: the trail's filter (no paging: the file holds every entry) and the file's format. */
export const AuditExportQuery = AuditQuery.omit({ cursor: true, limit: true }).extend({
  format: z.enum(AUDIT_EXPORT_FORMATS).describe("`csv` (text/csv) or `ndjson` (application/x-ndjson)."),
});

export const HistoryQuery = z.strictObject({
  cursor: z.coerce.number().int().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

export const RequirementBody = z.strictObject({ required: z.boolean().nullable() });

/** `GET /users/:id`: the directory entry, with the user's factors in detail, devices and recent activity. */
export const UserDetailsView = DirectoryEntry.extend({
  factors: UserDetails.shape.factors,
  backupCodesLeft: UserDetails.shape.backupCodesLeft,
  devices: UserDetails.shape.devices,
  recentActivity: z.array(ActivityEntry),
});

export const ResetResult = z.object({ userId: z.string(), reset: z.literal(true), factorsRemoved: z.number() });
export const UnlockResult = z.object({ userId: z.string(), unlocked: z.literal(true), wasLocked: z.boolean() });
export const RequirementResult = z.object({ userId: z.string(), required: z.boolean().nullable() });

/** `POST /webhooks` and `PATCH /webhooks/:id`: the rules are `flows/webhooks.ts`'s. */
export const CreateWebhookBody = WebhookRequest;
export const ChangeWebhookBody = WebhookChange;

export const CreatedWebhook = WebhookView.extend({
  secret: z.string().describe("The signing secret, `whsec_` + base64 (Standard Webhooks), shown this once: give it to the receiver's `new Webhook(secret)`."),
});
