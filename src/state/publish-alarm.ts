/**
 * @module
 * The alarm with which a user's or a tenant's object publishes its outbox to the event stream
 * (see `events.ts`): set once per batch, a short delay after the first new record, so records
 * are published together and never on a request's path.
 */

/**
 * How long new records wait before their object publishes them, in one batch. The tenant's
 * audit and directory lag by this and the queue's batch timeout. The deployment may set
 * another (`STEPGATE_SYNC_DELAY_MS`: more batching, less lag, or the other way round).
 */
export const PUBLISH_DELAY_MS = 500;

/** How long a failed publish waits before it is tried again. */
export const PUBLISH_RETRY_MS = 30_000;

/**
 * The deployment's publish delay, or {@link PUBLISH_DELAY_MS}.
 * @example
 * publishDelayMs({ STEPGATE_SYNC_DELAY_MS: "2000" } as Env) // 2000
 */
export function publishDelayMs(env: Env): number {
  const ms = Number(env.STEPGATE_SYNC_DELAY_MS);
  return env.STEPGATE_SYNC_DELAY_MS && Number.isFinite(ms) && ms >= 0 ? ms : PUBLISH_DELAY_MS;
}

/**
 * The alarm that publishes the next batch. A failed publish is tried again
 * {@link PUBLISH_RETRY_MS} later, for as long as it takes, rather than left to the runtime's few
 * automatic retries: a quiet user's last records must still reach the stream.
 * @example
 * const alarm = new PublishAlarm(ctx.storage, publishDelayMs(env));
 * alarm.schedule(); // after a record; in the object's alarm(): await alarm.ring(() => publishPending(…))
 */
export class PublishAlarm {
  private readonly storage: DurableObjectStorage;
  private readonly delayMs: number;
  /** When the alarm this instance set will ring (`null`: none set since the last ring). */
  private scheduledAt: number | null = null;

  constructor(storage: DurableObjectStorage, delayMs = PUBLISH_DELAY_MS) {
    this.storage = storage;
    this.delayMs = delayMs;
  }

  /** Sets the alarm to ring by `at` (the publish delay from now by default); an earlier one set stays. */
  schedule(at = Date.now() + this.delayMs): void {
    if (this.scheduledAt !== null && this.scheduledAt <= at) return;
    this.scheduledAt = at;
    void this.storage.setAlarm(at);
  }

  /**
   * Runs `publish` when the alarm rings: set again when it left records for another batch (or
   * names when the next are due), or {@link PUBLISH_RETRY_MS} later when it failed.
   */
  async ring(publish: () => Promise<boolean | number>): Promise<void> {
    this.scheduledAt = null;
    try {
      const next = await publish();
      if (next === true) this.schedule();
      else if (typeof next === "number") this.schedule(next);
    } catch (error) {
      console.error("stepgate: publishing to the event stream failed; retrying", error);
      this.scheduledAt = Date.now() + PUBLISH_RETRY_MS;
      await this.storage.setAlarm(this.scheduledAt);
    }
  }
}
