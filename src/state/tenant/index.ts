/**
 * @module
 * One Durable Object per tenant: what is shared by all of a tenant's users. The send limits
 * (per tenant and per client IP, per hour) against SMS pumping and mail bombing, the admin API
 * keys and the console's sign-in limit and sessions, the policy's history and its conditional writes, the user directory and the tenant-wide
 * audit trail (stored from the event stream; its own entries published to it by its alarm), the
 * webhooks, what became of their deliveries and the budget of their pings, the dead letters (the
 * stream's, the webhooks' and the alerts'), and the development outbox. The class is thin: RPC methods that hand a
 * {@link TenantContext} (or just its storage) to the plain functions of this folder, one module
 * per table or concern.
 *
 * Never on a verification's path: the per-IP limit on wrong answers is counted in an object
 * per client network (`state/address-limit`), and what users do reaches the audit and the
 * directory through the event stream. A code send calls it once, for the tenant-wide send cap
 * (docs/scaling.md).
 */
import { DurableObject } from "cloudflare:workers";
import type { RequestOrigin } from "../user/audit";
import type { EventMessage, EventSource } from "../events";
import { migrate } from "../migrate";
import { objectIdentity } from "../object-identity";
import { PublishAlarm, publishDelayMs } from "../publish-alarm";
import { pruneAudit, queryTenantAudit, recordTenantEntry, storeStreamEvent } from "./audit";
import { closeConsoleSession, openConsoleSession, takeSignInAttempt, touchConsoleSession } from "./console-sessions";
import type { ConsoleSessionOwner, LiveConsoleSession } from "./console-sessions";
import type { TenantContext } from "./context";
import { type DeadLetter, keepDeadMessages, type ListedDeadLetter, listDeadMessages, replayDeadMessage } from "./dead-events";
import { countDirectory, directoryEntry, queryDirectory, upsertDirectoryRow } from "./directory";
import { publishTenantEvents } from "./event-outbox";
import { forgetAttempt, type VerifyAttempt } from "../hourly-attempts";
import { type SendAllowance, takeSend } from "./hourly-limits";
import { checkApiKey, createApiKey, listApiKeys, revokeApiKey } from "./keys";
import { appendOutboxMessage, type KeptMessage, listOutbox, type OutboxMessage } from "./outbox";
import { keptPolicyVersion, listPolicyVersions, policyVersionText, reconciledPolicy, writePolicy } from "./policy-history";
import type { PolicyExpectation, PolicyWrite, StoredPolicy } from "./policy-history";
import { TENANT_MIGRATIONS } from "./schema";
import type { AdminScope, ApiKeyView, AuditQuery, DeadEventsQuery, DirectoryCounts, DirectoryEntry, DirectoryQuery, PolicyVersion } from "./views";
import type { TenantAuditEntry, WebhookAttemptView, WebhookView } from "./views";
import { deliveryTarget, lastAttempts, listAttempts, recordAttempt, type WebhookAttempt } from "./webhook-attempts";
import { type PingAllowance, takePing } from "./webhook-pings";
import { createWebhook, deleteWebhook, listWebhooks, rotateWebhookSecret, updateWebhook, webhookTargets, webhookView } from "./webhooks";
import type { WebhookEndpoint, WebhookSettings } from "./webhooks";

export type { ConsoleSessionOwner, LiveConsoleSession } from "./console-sessions";
export type { VerifyAttempt } from "../hourly-attempts";
export type { SendAllowance } from "./hourly-limits";
export type { KeptMessage, OutboxMessage } from "./outbox";
export type { PolicyExpectation, PolicyWrite } from "./policy-history";
export type { WebhookAttempt } from "./webhook-attempts";
export type { PingAllowance } from "./webhook-pings";
export type { WebhookEndpoint, WebhookSettings } from "./webhooks";

/**
 * @example
 * const limits = tenantState(env, tenantId); await limits.takeSend("203.0.113.7", 20, 1000);
 */
export function tenantState(env: Env, tenantId: string): DurableObjectStub<TenantState> {
  return env.TENANTS.get(env.TENANTS.idFromName(tenantId));
}

/**
 * The one object of this class no tenant owns, for limits that must hold across every tenant of
 * the deployment: the bootstrap key opens them all, so its wrong guesses count here, not per
 * tenant. Named once, here. A tenant given this same id would share the object's storage, but
 * not its counts: its own buckets are named apart (see `takeSignInAttempt`'s callers).
 */
const DEPLOYMENT_OBJECT_NAME = "stepgate:deployment";

/**
 * @example
 * await deploymentState(env).takeSignInAttempt("bootstrap|ip:203.0.113.7");
 */
export function deploymentState(env: Env): DurableObjectStub<TenantState> {
  return tenantState(env, DEPLOYMENT_OBJECT_NAME);
}

export class TenantState extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  /** Whose object this is: set before any request is let in, or the object refuses them all. */
  private tenantId = "";
  /** Publishes the entries this object records to the event stream, a moment later, in one batch. */
  private readonly publishAlarm: PublishAlarm;
  /** Policy reads and writes run one after another: each write compares and swaps. */
  private policyQueue: Promise<unknown> = Promise.resolve();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.publishAlarm = new PublishAlarm(ctx.storage, publishDelayMs(env));
    void ctx.blockConcurrencyWhile(async () => {
      // `tenantState` names every object by its tenant id; without that name or a stored one this
      // throws, and every request is refused, with nothing written.
      this.tenantId = objectIdentity(this.sql, ctx.id, "TenantState");
      migrate(this.sql, TENANT_MIGRATIONS);
    });
  }

  /** Creates an API key; the secret is in the answer and nowhere else. */
  async createKey(input: { name: string; scopes: AdminScope[]; actor: string; origin: RequestOrigin }): Promise<ApiKeyView & { key: string }> {
    return createApiKey(this.context(), input, Date.now());
  }

  /** The scopes of a live key of this tenant, or `null` (unknown, revoked, wrong secret). */
  async checkKey(id: string, secret: string): Promise<AdminScope[] | null> {
    return checkApiKey(this.sql, id, secret, Date.now());
  }

  async keys(): Promise<ApiKeyView[]> {
    return listApiKeys(this.sql);
  }

  /** Revokes a key and the keys it made; see `revokeApiKey`. */
  async revokeKey(id: string, caller: { actor: string; scopes: readonly AdminScope[] }, origin: RequestOrigin): Promise<"revoked" | "not_found" | "stronger"> {
    return revokeApiKey(this.context(), id, caller, origin, Date.now());
  }

  /** Opens a console session for a key just checked; the token is in the answer and nowhere else. */
  async openConsoleSession(owner: ConsoleSessionOwner, origin: RequestOrigin): Promise<{ token: string; expiresAt: number }> {
    return openConsoleSession(this.context(), owner, origin, Date.now());
  }

  /** The live console session of `token`, its idle clock started again; `null` when it ended (see `touchConsoleSession`). */
  async consoleSession(token: string, bootstrapFingerprint: string | null): Promise<LiveConsoleSession | null> {
    return touchConsoleSession(this.sql, token, bootstrapFingerprint, Date.now());
  }

  /** Signs a console session out (audited as its key). */
  async closeConsoleSession(token: string, origin: RequestOrigin): Promise<void> {
    return closeConsoleSession(this.context(), token, origin, Date.now());
  }

  /** Counts a key sign-in attempt from `bucket` before the key is checked, or refuses it (see `takeSignInAttempt`); a success is forgotten with {@link forgetSignInAttempt}. */
  async takeSignInAttempt(bucket: string): Promise<VerifyAttempt> {
    return takeSignInAttempt(this.sql, bucket, Date.now());
  }

  /** A wrong key at the console's sign-in, audited with the key id it claimed (if it looked like a key). */
  async recordFailedSignIn(claimedKeyId: string | null, origin: RequestOrigin): Promise<void> {
    this.record(Date.now(), "console.sign_in_failed", null, origin, { claimedKeyId });
  }

  /** The tenant's current policy text and ETag, or `null` when it has none. */
  async currentPolicy(): Promise<StoredPolicy | null> {
    return this.serially(() => reconciledPolicy(this.context(), Date.now()));
  }

  /** Stores `text` as the policy if the current one is still the one the caller read: of two admins with the same ETag exactly one wins. */
  async writePolicy(input: { expected: PolicyExpectation; text: string; actor: string; origin: RequestOrigin }): Promise<PolicyWrite> {
    return this.serially(() => writePolicy(this.context(), input, Date.now()));
  }

  async policyHistory(limit: number, before: number | null): Promise<PolicyVersion[]> {
    await this.currentPolicy();
    return listPolicyVersions(this.sql, limit, before);
  }

  /** A kept version with its whole text, or `null` once it is no longer kept (see `POLICY_VERSIONS_KEPT`). */
  async policyVersion(version: number): Promise<(PolicyVersion & { text: string }) | null> {
    return policyVersionText(this.sql, version);
  }

  /**
   * A kept version's text by its ETag (`null` once it is no longer kept): what an admin's form
   * was loaded from, to tell their own edits from another admin's when the two collide.
   */
  async policyVersionByEtag(etag: string): Promise<StoredPolicy | null> {
    return keptPolicyVersion(this.sql, etag);
  }

  /** A page of the directory; factors enrolled before `epoch` (the re-enrolment epoch) do not count. */
  async directory(query: DirectoryQuery, epoch = 0): Promise<{ entries: DirectoryEntry[]; nextCursor: string | null }> {
    return queryDirectory(this.sql, query, Date.now(), epoch);
  }

  /** How many users are enrolled, pending and not enrolled; factors enrolled before `epoch` do not count, as in {@link directory}. */
  async directoryCounts(epoch = 0): Promise<DirectoryCounts> {
    return countDirectory(this.sql, Date.now(), epoch);
  }

  async directoryEntry(userId: string): Promise<DirectoryEntry | null> {
    return directoryEntry(this.sql, userId, Date.now());
  }

  /**
   * Stores messages from the event stream (the events consumer's one call per tenant and batch,
   * or an admin route's fresh copy): audit events unless their id is stored already, directory
   * rows unless a newer version is. All or nothing, in one transaction: a throw half-way stores
   * none of them, and the caller sends them all again. Answers how many audit entries were new.
   */
  async storeEvents(tenantId: string, messages: EventMessage[]): Promise<{ stored: number }> {
    this.refuseForeign(tenantId);
    for (const message of messages) this.refuseForeign(message.tenantId);
    const now = Date.now();
    const stored = this.ctx.storage.transactionSync(() => {
      let count = 0;
      for (const message of messages) if (this.storeMessage(message, now)) count++;
      pruneAudit(this.sql, now);
      return count;
    });
    return { stored };
  }

  /** Stores one message; `true` for a new audit entry. A step of its own: the fault tests break it half-way through a batch. */
  private storeMessage(message: EventMessage, now: number): boolean {
    if (message.kind === "event") return storeStreamEvent(this.sql, message);
    upsertDirectoryRow(this.sql, message.row, now);
    return false;
  }

  async audit(query: AuditQuery): Promise<{ entries: TenantAuditEntry[]; nextCursor: string | null }> {
    return queryTenantAudit(this.sql, query, Date.now());
  }

  /** Keeps messages a queue gave up on (the dead-letter queues' consumer), to be listed and replayed. */
  async keepDeadEvents(tenantId: string, messages: DeadLetter[]): Promise<void> {
    this.refuseForeign(tenantId);
    for (const message of messages) this.refuseForeign(message.tenantId);
    keepDeadMessages(this.sql, messages, Date.now());
  }

  /** A page of the dead letters, newest first. */
  async deadEvents(query: DeadEventsQuery): Promise<{ events: ListedDeadLetter[]; nextCursor: string | null }> {
    return listDeadMessages(this.sql, query);
  }

  /** Sends a dead message again to the queue it died on (see `replayDeadMessage`); `null` for an id not listed, else its kind. */
  async replayDeadEvent(id: string, actor: string, origin: RequestOrigin): Promise<DeadLetter["kind"] | null> {
    return replayDeadMessage(this.context(), id, actor, origin);
  }

  /** Makes a webhook; its signing secret is in the answer and nowhere else. `null` when the tenant has `MAX_WEBHOOKS_PER_TENANT`. */
  async createWebhook(input: WebhookSettings & { actor: string; origin: RequestOrigin }): Promise<(WebhookView & { secret: string }) | null> {
    return createWebhook(this.context(), input, Date.now());
  }

  async webhooks(): Promise<WebhookView[]> {
    return listWebhooks(this.sql, Date.now());
  }

  async webhook(id: string): Promise<WebhookView | null> {
    return webhookView(this.sql, id, Date.now());
  }

  /** Changes what an admin sets on a webhook (audited with the fields changed); `null` for an unknown id. */
  async updateWebhook(id: string, change: Partial<WebhookSettings>, actor: string, origin: RequestOrigin): Promise<WebhookView | null> {
    return updateWebhook(this.context(), id, change, { actor, origin }, Date.now());
  }

  /** `false` for an unknown id. */
  async deleteWebhook(id: string, actor: string, origin: RequestOrigin): Promise<boolean> {
    return deleteWebhook(this.context(), id, { actor, origin }, Date.now());
  }

  /** A new signing secret, in the answer and nowhere else; the previous one still signs for a day. `null` for an unknown id. */
  async rotateWebhookSecret(id: string, actor: string, origin: RequestOrigin): Promise<(WebhookView & { secret: string }) | null> {
    return rotateWebhookSecret(this.context(), id, { actor, origin }, Date.now());
  }

  /** Counts a ping against the tenant's budget a minute and audits it, or refuses it (see `takePing`); `null` for an unknown id. */
  async takeWebhookPing(webhookId: string, eventId: string, actor: string, origin: RequestOrigin): Promise<PingAllowance | null> {
    return takePing(this.context(), webhookId, eventId, { actor, origin }, Date.now());
  }

  /** The enabled webhooks and the event types each wants: the stream's webhook sink asks once per batch. */
  async webhookTargets(): Promise<Array<{ id: string; eventTypes: string[] }>> {
    return webhookTargets(this.sql);
  }

  /**
   * Where and how to deliver each (webhook, event) of a consumer's batch, and whether that webhook
   * took that event already; `null` for one whose webhook is deleted. One call for the batch.
   */
  async webhookDeliveries(
    deliveries: ReadonlyArray<{ webhookId: string; eventId: string }>,
  ): Promise<Array<(WebhookEndpoint & { delivered: boolean }) | null>> {
    const now = Date.now();
    return Promise.all(deliveries.map(({ webhookId, eventId }) => deliveryTarget(this.context(), webhookId, eventId, now)));
  }

  /** Keeps what each attempt of a consumer's batch got; a 410 Gone turns its webhook off (see `recordAttempt`). */
  async recordWebhookAttempts(attempts: readonly WebhookAttempt[]): Promise<void> {
    const now = Date.now();
    for (const attempt of attempts) recordAttempt(this.context(), attempt, now);
  }

  /** The webhook's last attempts, newest first; `null` for an unknown id. */
  async webhookAttempts(id: string): Promise<WebhookAttemptView[] | null> {
    return listAttempts(this.sql, id, Date.now());
  }

  /** Each webhook's newest attempt, by webhook id: the console's list shows how each one last fared. */
  async lastWebhookAttempts(): Promise<Record<string, WebhookAttemptView>> {
    return lastAttempts(this.sql);
  }

  /** Counts one send against the client IP's and the tenant's hourly caps, or refuses it. */
  async takeSend(ip: string, perIpPerHour: number, perTenantPerHour: number): Promise<SendAllowance> {
    return takeSend(this.sql, ip, perIpPerHour, perTenantPerHour, Date.now());
  }

  /** Forgets a key sign-in attempt that succeeded. */
  async forgetSignInAttempt(id: number): Promise<void> {
    forgetAttempt(this.sql, id);
  }

  /** Keeps a message in the development outbox. */
  async appendOutbox(message: OutboxMessage): Promise<void> {
    appendOutboxMessage(this.sql, message, Date.now());
  }

  /** The development outbox, newest first. */
  async outbox(): Promise<KeptMessage[]> {
    return listOutbox(this.sql);
  }

  /** Publishes this object's own entries to the stream (the alarm set by {@link record}), retried until the queue takes them. */
  override async alarm(): Promise<void> {
    const from = { sql: this.sql, tenantId: this.tenantId, source: this.eventSource() };
    await this.publishAlarm.ring(() => publishTenantEvents(from, this.env.EVENTS, Date.now()));
  }

  /** What the plain functions of this folder act on: this object's storage, bindings and audit trail. */
  private context(): TenantContext {
    return { env: this.env, sql: this.sql, tenantId: this.tenantId, record: (...entry) => this.record(...entry) };
  }

  private eventSource(): EventSource {
    return { object: "tenant", objectId: this.ctx.id.toString() };
  }

  /** Records are accepted only for this tenant: a user's object that lost track of whose it is must not write here. */
  private refuseForeign(tenantId: string): void {
    if (tenantId !== this.tenantId) throw new Error(`stepgate: tenant ${JSON.stringify(this.tenantId)} refuses records for tenant ${JSON.stringify(tenantId)}`);
  }

  /** Records an admin's action in the audit trail; it is published to the stream with the next batch. */
  private record(now: number, type: string, actor: string | null, origin: RequestOrigin, detail: Record<string, unknown>): void {
    recordTenantEntry(this.sql, this.eventSource(), { at: now, type, userId: null, actor, origin, detail }, now);
    this.publishAlarm.schedule();
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const run = this.policyQueue.then(work, work);
    this.policyQueue = run.catch(() => undefined);
    return run;
  }
}
