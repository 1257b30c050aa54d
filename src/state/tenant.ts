/**
 * @module
 * One Durable Object per tenant: the tenant-wide send limits (per tenant and per client IP,
 * per hour) against SMS pumping and mail bombing, and the development outbox.
 */
import { DurableObject } from "cloudflare:workers";
import { migrate } from "./migrate";

const HOUR_MS = 3_600_000;
/** Messages the dev outbox keeps per tenant; older ones are dropped. */
export const OUTBOX_MESSAGES_KEPT = 100;

const TENANT_MIGRATIONS = [
  `CREATE TABLE sends (at INTEGER NOT NULL, ip TEXT NOT NULL);
   CREATE INDEX sends_by_time ON sends (at);
   CREATE INDEX sends_by_ip ON sends (ip, at);
   CREATE TABLE outbox (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     at INTEGER NOT NULL,
     channel TEXT NOT NULL,
     recipient TEXT NOT NULL,
     subject TEXT,
     body TEXT NOT NULL
   );`,
];

export interface OutboxMessage {
  channel: "sms" | "email";
  to: string;
  subject: string | null;
  text: string;
}

export type SendAllowance = { ok: true } | { ok: false; scope: "ip" | "tenant"; retryAfterSeconds: number };

/**
 * @example
 * const limits = tenantState(env, tenantId); await limits.takeSend("203.0.113.7", 20, 1000);
 */
export function tenantState(env: Env, tenantId: string): DurableObjectStub<TenantState> {
  return env.TENANTS.get(env.TENANTS.idFromName(tenantId));
}

export class TenantState extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    void ctx.blockConcurrencyWhile(async () => migrate(this.sql, TENANT_MIGRATIONS));
  }

  /**
   * Counts one send against the client IP's and the tenant's hourly caps, or refuses it.
   * Check and count happen in one synchronous step, so parallel sends never exceed a cap.
   */
  async takeSend(ip: string, perIpPerHour: number, perTenantPerHour: number): Promise<SendAllowance> {
    const now = Date.now();
    this.sql.exec("DELETE FROM sends WHERE at <= ?", now - HOUR_MS);
    const tenant = this.sql.exec<{ n: number; first: number | null }>("SELECT count(*) AS n, min(at) AS first FROM sends").one();
    if (tenant.n >= perTenantPerHour) return { ok: false, scope: "tenant", retryAfterSeconds: retryAfter(tenant.first, now) };
    const byIp = this.sql.exec<{ n: number; first: number | null }>("SELECT count(*) AS n, min(at) AS first FROM sends WHERE ip = ?", ip).one();
    if (byIp.n >= perIpPerHour) return { ok: false, scope: "ip", retryAfterSeconds: retryAfter(byIp.first, now) };
    this.sql.exec("INSERT INTO sends (at, ip) VALUES (?, ?)", now, ip);
    return { ok: true };
  }

  /** Keeps a message in the development outbox. */
  async appendOutbox(message: OutboxMessage): Promise<void> {
    const { seq } = this.sql
      .exec<{ seq: number }>(
        "INSERT INTO outbox (at, channel, recipient, subject, body) VALUES (?, ?, ?, ?, ?) RETURNING seq",
        Date.now(), message.channel, message.to, message.subject, message.text,
      )
      .one();
    this.sql.exec("DELETE FROM outbox WHERE seq <= ?", seq - OUTBOX_MESSAGES_KEPT);
  }

  /** The development outbox, newest first. */
  async outbox(): Promise<Array<OutboxMessage & { at: string }>> {
    return this.sql
      .exec<{ at: number; channel: "sms" | "email"; recipient: string; subject: string | null; body: string }>(
        "SELECT at, channel, recipient, subject, body FROM outbox ORDER BY seq DESC",
      )
      .toArray()
      .map((row) => ({ at: new Date(row.at).toISOString(), channel: row.channel, to: row.recipient, subject: row.subject, text: row.body }));
  }
}

function retryAfter(first: number | null, now: number): number {
  return Math.max(1, Math.ceil(((first ?? now) + HOUR_MS - now) / 1000));
}
