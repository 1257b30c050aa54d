/** The address-limit objects in the tests: their refusal tallies published as the object's alarm does once their minute is over. */
import { env, runInDurableObject } from "cloudflare:test";
import { addressLimitState } from "../../src/state/address-limit";
import { dueRefusals, publishDueRefusals } from "../../src/state/address-limit/refusals";
import { REFUSAL_WINDOW_MS } from "../../src/state/refusal-window";
import { tenantState } from "../../src/state/tenant";
import { until } from "./events";

/**
 * Publishes the refusal tallies the object counting `bucket` holds, as its alarm does at the end
 * of their minute (here with the clock a minute on), and waits until the stream's consumer stored
 * them in the tenant's object. Returns their stream ids.
 * @example
 * await refusalsPublished(tenantId, "ip:203.0.113.88");
 */
export async function refusalsPublished(tenantId: string, bucket: string): Promise<string[]> {
  const ids = await runInDurableObject(addressLimitState(env, tenantId, bucket), async (_, state) => {
    const from = { sql: state.storage.sql, tenantId, objectId: state.id.toString() };
    const minuteOn = Date.now() + REFUSAL_WINDOW_MS;
    const due = dueRefusals(from, minuteOn).map((event) => event.id);
    await publishDueRefusals(from, env.EVENTS, minuteOn);
    return due;
  });
  await until(
    () =>
      runInDurableObject(tenantState(env, tenantId), (_, state) =>
        ids.every((id) => state.storage.sql.exec("SELECT 1 FROM audit WHERE event_id = ?", id).toArray().length > 0),
      ),
    `the refusals of ${bucket} in tenant ${tenantId}'s audit`,
  );
  return ids;
}
