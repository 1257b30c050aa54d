/** Lockouts for the tests: a temporary lock run out as time passing would, and a user locked over and over by wrong codes. */
import { env, runInDurableObject } from "cloudflare:test";
import { expect } from "vitest";
import { userState } from "../../src/state/user";
import { postJson, verify } from "./step-up";

/**
 * Moves the end of the user's temporary lock into the past, as `lockSeconds` passing would. The
 * times the locks began (what escalation counts within its period) stay as they are.
 */
export async function lockRunsOut(tenantId: string, userId: string): Promise<void> {
  await runInDurableObject(userState(env, tenantId, userId), async (_object, state) => {
    state.storage.sql.exec("UPDATE lockout SET locked_until = ? WHERE locked_until > 0", Date.now() - 1);
  });
}

/**
 * Opens a challenge (`path` is protected) and answers it `maxAttempts` times with a wrong code,
 * `locks` times over, each temporary lock run out before the next: returns the challenge and
 * the last wrong answer's response.
 */
export async function lockOver(
  site: { base: string; tenantId: string },
  user: { sub: string; token: string },
  options: { locks: number; maxAttempts: number; path?: string },
): Promise<{ challengeId: string; last: Response }> {
  const opened = await postJson(`${site.base}${options.path ?? "/echo/withdraw"}`, user.token, {});
  expect(opened.status).toBe(401);
  const { challengeId } = await opened.json<{ challengeId: string }>();
  let last: Response | undefined;
  for (let lock = 0; lock < options.locks; lock++) {
    if (lock > 0) await lockRunsOut(site.tenantId, user.sub);
    for (let i = 0; i < options.maxAttempts; i++) {
      last = await verify(site.base, user.token, challengeId, "totp", "000000");
      expect(last.status, `lock ${lock + 1}, wrong answer ${i + 1}`).toBe(400);
    }
  }
  return { challengeId, last: last! };
}
