/**
 * The tenant's hourly send caps (src/state/tenant/hourly-limits.ts) keep the hour's count in a
 * row beside the sends instead of counting them on every send: checked against a reference that
 * counts the sends of the last hour as they are, for any sequence of sends from a few addresses
 * at any pace, in the tenant's own object.
 */
import { env, runInDurableObject } from "cloudflare:test";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { HOUR_MS } from "../../src/state/hourly-attempts";
import { takeSend } from "../../src/state/tenant/hourly-limits";
import { tenantState } from "../../src/state/tenant";

/** What the caps must answer, from the list of sends let through so far. */
function reference(sent: Array<{ at: number; ip: string }>, ip: string, perIp: number, perTenant: number, now: number) {
  const hour = sent.filter((send) => send.at > now - HOUR_MS);
  if (hour.length >= perTenant) return { ok: false, scope: "tenant" };
  if (hour.filter((send) => send.ip === ip).length >= perIp) return { ok: false, scope: "ip" };
  return { ok: true };
}

const send = fc.record({
  wait: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 20 * 60_000 }), fc.constant(HOUR_MS)),
  ip: fc.constantFrom("192.0.2.1", "192.0.2.2", "2001:db8::1"),
});

describe("the tenant's hourly send caps", () => {
  it("answer as counting the last hour's sends would, however the sends come and go", async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(send, { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 12 }),
        async (sends, perIp, perTenant) => {
          const stub = tenantState(env, `send-caps-${run++}`);
          await runInDurableObject(stub, (_, state) => {
            const sql = state.storage.sql;
            const sent: Array<{ at: number; ip: string }> = [];
            let now = 1_700_000_000_000;
            for (const { wait, ip } of sends) {
              now += wait;
              const expected = reference(sent, ip, perIp, perTenant, now);
              const answer = takeSend(sql, ip, perIp, perTenant, now);
              expect({ ok: answer.ok, ...(answer.ok ? {} : { scope: answer.scope }) }).toEqual(expected);
              if (!answer.ok) expect(answer.retryAfterSeconds).toBeGreaterThan(0);
              if (answer.ok) sent.push({ at: now, ip });
              const kept = sql.exec<{ n: number }>("SELECT count(*) AS n FROM sends").one().n;
              expect(sql.exec<{ n: number }>("SELECT n FROM sends_count").one().n).toBe(kept);
            }
          });
        },
      ),
      { numRuns: 40 },
    );
  });

  it("let no more than the tenant's cap through when sends arrive at once", async () => {
    const stub = tenantState(env, "send-caps-at-once");
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => stub.takeSend(`198.51.100.${i}`, 5, 10)));
    expect(answers.filter((answer) => answer.ok)).toHaveLength(10);
    expect(answers.filter((answer) => !answer.ok && answer.scope === "tenant")).toHaveLength(20);
  });
});
