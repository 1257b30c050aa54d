/**
 * @module
 * One Durable Object per tenant and client network (an IPv4 /24, an IPv6 /56, or a user without
 * an address: `bucketShard`): the per-IP limit on wrong answers (`lockout.perIpPerHour`), counted
 * for each bucket of that network, and the refusals it made, for the tenant's audit. A
 * verification calls the object of its client's network, never the tenant's: a big tenant's
 * verifications spread over as many objects as its users have networks, and one address always
 * lands on the same object, so its count is exact and race-free (`hourly-attempts.ts`).
 *
 * Bounded: an attempt is kept an hour, a refusal tally until its minute is published. The alarm
 * drops what expired and, once nothing is left, deletes the object's storage (and with it the
 * alarm), so a network not seen for an hour costs nothing; the next request sets it up again.
 */
import { DurableObject } from "cloudflare:workers";
import { bucketShard } from "../../lib/client-ip";
import { attemptsExpireAt, forgetAttempt, HOUR_MS, takeAttempt, type VerifyAttempt } from "../hourly-attempts";
import { migrate } from "../migrate";
import { objectIdentity } from "../object-identity";
import { PUBLISH_RETRY_MS } from "../publish-alarm";
import type { RequestOrigin } from "../user/audit";
import { publishDueRefusals, type RefusalSource, refusalsDueAt, tallyRefusal } from "./refusals";
import { ADDRESS_LIMIT_MIGRATIONS } from "./schema";

export type { VerifyAttempt } from "../hourly-attempts";

/**
 * The object that counts `bucket` (a `perIpBucket`) for `tenantId`.
 * @example
 * const limits = addressLimitState(env, tenantId, "ip:203.0.113.7"); // the object of 203.0.113.0/24
 * const attempt = await limits.takeAttempt("ip:203.0.113.7", 100, origin);
 */
export function addressLimitState(env: Env, tenantId: string, bucket: string): DurableObjectStub<AddressLimitState> {
  // JSON keeps the two parts apart whatever characters a tenant id (or a user id, in a `user:` bucket) contains.
  return env.ADDRESS_LIMITS.get(env.ADDRESS_LIMITS.idFromName(JSON.stringify([tenantId, bucketShard(bucket)])));
}

export class AddressLimitState extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  /** Whose object this is and which network it counts: set before any request is let in, or the object refuses them all. */
  private tenantId = "";
  private shard = "";
  /** Whether the schema and the object's name are in storage (not once it deleted its storage when idle). */
  private ready = false;
  /** When the alarm will ring (`null`: none set). */
  private alarmAt: number | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    void ctx.blockConcurrencyWhile(async () => {
      this.prepare();
      this.alarmAt = await ctx.storage.getAlarm();
    });
  }

  /**
   * Counts a verification attempt from `bucket` across all the tenant's users before the answer
   * is checked, or refuses it when the last hour's unsuccessful ones reached `limit` (tallied for
   * the tenant's audit, one entry per bucket and minute). A success is forgotten ({@link forgetAttempt}).
   */
  async takeAttempt(bucket: string, limit: number, origin: RequestOrigin): Promise<VerifyAttempt> {
    this.prepare();
    // A bucket of another network here would be counted apart from its own object's: never exact.
    if (bucketShard(bucket) !== this.shard) throw new Error(`stepgate: the address-limit object of ${this.shard} refuses bucket ${JSON.stringify(bucket)}`);
    const now = Date.now();
    const attempt = takeAttempt(this.sql, bucket, limit, now);
    this.scheduleBy(attempt.ok ? now + HOUR_MS : tallyRefusal(this.sql, bucket, origin, now));
    return attempt;
  }

  /** Forgets an attempt that succeeded. */
  async forgetAttempt(id: number): Promise<void> {
    this.prepare();
    forgetAttempt(this.sql, id);
  }

  /**
   * Publishes the refusal tallies whose minute is over, drops the attempts an hour old, and rings
   * again when the next of either is due; with nothing left, deletes the object's storage.
   */
  override async alarm(): Promise<void> {
    this.alarmAt = null;
    // The storage was deleted since, and its alarm with it.
    if (!this.ready) return;
    let retryAt: number | null = null;
    try {
      await publishDueRefusals(this.refusalSource(), this.env.EVENTS, Date.now());
    } catch (error) {
      console.error("stepgate: publishing refused verifications to the event stream failed; retrying", error);
      retryAt = Date.now() + PUBLISH_RETRY_MS;
    }
    const now = Date.now();
    const due = [retryAt, refusalsDueAt(this.sql, now), attemptsExpireAt(this.sql, now)].filter((at): at is number => at !== null);
    if (due.length > 0) return this.scheduleBy(Math.min(...due));
    // Checked and deleted with no await between: nothing can be counted meanwhile and lost.
    this.ready = false;
    await this.ctx.storage.deleteAll();
  }

  /** Creates the schema and stores the object's name, once, and again after the storage was deleted. */
  private prepare(): void {
    if (this.ready) return;
    // `addressLimitState` names every object `[tenantId, network]`; without that name or a stored
    // one this throws, and every request (and the alarm) is refused, with nothing written.
    [this.tenantId, this.shard] = JSON.parse(objectIdentity(this.sql, this.ctx.id, "AddressLimitState")) as [string, string];
    migrate(this.sql, ADDRESS_LIMIT_MIGRATIONS);
    this.ready = true;
  }

  /** Sets the alarm to ring by `at`; an earlier one set stays. */
  private scheduleBy(at: number): void {
    if (this.alarmAt !== null && this.alarmAt <= at) return;
    this.alarmAt = at;
    void this.ctx.storage.setAlarm(at);
  }

  private refusalSource(): RefusalSource {
    return { sql: this.sql, tenantId: this.tenantId, objectId: this.ctx.id.toString() };
  }
}
