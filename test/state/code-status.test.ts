/**
 * Where a sent code stands, in the user's own object: the wait before another code counts the
 * user's hourly cap as well as the channel's cooldown, and reads without recording a send; a
 * pending enrolment is resumed only for a session that may still add the factor.
 */
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { userState } from "../../src/state/user";
import { FRESH_VERIFICATION_MS } from "../../src/state/user/sessions";
import { sendRefusal } from "../../src/state/user/sent-codes";
import { aPolicy, aSession, aTenant } from "../support/builders";
import { enrollTotpViaApi, postJson } from "../support/step-up";

const SETTINGS = { codeLength: 6, codeTtlSeconds: 300, resendCooldownSeconds: 30, maxAttemptsPerCode: 3 };
const MINUTE_MS = 60_000;

describe("the wait before another code", () => {
  it("is the channel's cooldown after a send by that channel, and none after one by the other", async () => {
    const user = userState(env, "t-waits", `cooldown-${crypto.randomUUID()}`);
    await runInDurableObject(user, (_object, state) => {
      const sql = state.storage.sql;
      const now = Date.now();
      sql.exec("INSERT INTO sends (at, purpose, kind) VALUES (?, 'challenge:a', 'sms')", now - 10_000);
      expect(sendRefusal(sql, "sms", SETTINGS, 5, now)).toEqual({ error: "cooling_down", retryAfterSeconds: 20 });
      expect(sendRefusal(sql, "email", SETTINGS, 5, now)).toBeNull();
    });
  });

  it("lasts until the oldest send of the hour leaves it, once the user's hourly cap is reached; looking adds no send", async () => {
    const user = userState(env, "t-waits", `capped-${crypto.randomUUID()}`);
    await runInDurableObject(user, (_object, state) => {
      const sql = state.storage.sql;
      const now = Date.now();
      // One send from before the hour (no longer counted), then five within it.
      for (const minutesAgo of [70, 40, 30, 20, 10, 5]) {
        sql.exec("INSERT INTO sends (at, purpose, kind) VALUES (?, 'challenge:a', 'email')", now - minutesAgo * MINUTE_MS);
      }
      expect(sendRefusal(sql, "sms", SETTINGS, 5, now)).toEqual({ error: "user_send_limit", retryAfterSeconds: 20 * 60 });
      expect(sendRefusal(sql, "sms", SETTINGS, 6, now)).toBeNull();
      expect(sql.exec<{ n: number }>("SELECT count(*) AS n FROM sends").one().n).toBe(6);
    });
  });
});

describe("a pending enrolment's code, asked for again", () => {
  it("is offered to a session that may add the factor, and not once its verification has grown old", async () => {
    const { base, tenantId } = await aTenant(aPolicy({ enforcement: "required", factors: { sms: { enabled: true } } }));
    const token = await aSession({ sub: "kai" });
    await enrollTotpViaApi(base, token);
    // Enrolling the first factor proved this session: it may add a phone for a while.
    expect((await postJson(`${base}/__stepgate/api/enroll/sms`, token, { phone: "+14155552671" })).status).toBe(201);
    const user = userState(env, tenantId, "kai");
    const sessionId = await runInDurableObject(
      user,
      (_object, state) => state.storage.sql.exec<{ session_id: string }>("SELECT session_id FROM fresh_sessions").one().session_id,
    );
    const input = { kind: "sms" as const, sessionId, settings: SETTINGS, perUserPerHour: 5 };

    const resumed = await user.resumableEnrollment(input);
    expect(resumed).toMatchObject({ ok: true, destination: "+1••••••2671", sent: true });
    expect(resumed!.enrollmentId).toMatch(/^[\w-]{22}$/);
    expect(await user.resumableEnrollment({ ...input, kind: "email" })).toBeNull();
    expect(await user.resumableEnrollment({ ...input, sessionId: "another-session" })).toBeNull();

    await runInDurableObject(user, (_object, state) => {
      state.storage.sql.exec("UPDATE fresh_sessions SET verified_at = verified_at - ?", FRESH_VERIFICATION_MS);
    });
    expect(await user.resumableEnrollment(input)).toBeNull();
  });
});
