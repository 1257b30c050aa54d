/**
 * @module
 * What the tenant's object hands its plain functions: its storage, whose it is, its bindings
 * (the policy's KV, the queues, the sealing key), and how an admin's action is audited.
 */
import type { RequestOrigin } from "../user/audit";

export interface TenantContext {
  env: Env;
  sql: SqlStorage;
  /** Whose object this is: the sealed webhook secrets and the policy's KV key are bound to it. */
  tenantId: string;
  /** Records an action (`actor: null`: stepgate's own) in the tenant's audit trail; it is published to the stream with the next batch. */
  record(now: number, type: string, actor: string | null, origin: RequestOrigin, detail: Record<string, unknown>): void;
}
