/** The bench's users as a browser or an API client makes them: enrolled, challenged, signed in to the console. */
import { Secret, TOTP } from "otpauth";
import { portalSession } from "../tenant";
import { ADMIN_KEY } from "./instances";
import { inParallel } from "./load";

export interface EnrolledUser {
  cookie: string;
  secret: string;
}

export interface PreparedVerify extends EnrolledUser {
  path: string;
}

/** Users enrolled with TOTP through the API. */
export async function enrollUsers(base: string, count: number, prefix: string): Promise<EnrolledUser[]> {
  return inParallel(count, async (i) => {
    const cookie = `portal_session=${await portalSession(`${prefix}-${i}`)}`;
    const headers = { Cookie: cookie, "Content-Type": "application/json" };
    const begun = await fetch(`${base}/__stepgate/api/enroll/totp`, { method: "POST", headers });
    if (begun.status !== 201) throw new Error(`starting an enrolment failed: ${begun.status} ${await begun.text()}`);
    const started = (await begun.json()) as { enrollmentId: string; secret: string };
    const code = new TOTP({ secret: Secret.fromBase32(started.secret) }).generate();
    const confirmed = await fetch(`${base}/__stepgate/api/enroll/totp/confirm`, {
      method: "POST",
      headers,
      body: JSON.stringify({ enrollmentId: started.enrollmentId, code }),
    });
    if (confirmed.status !== 200) throw new Error(`enrolment failed: ${confirmed.status} ${await confirmed.text()}`);
    return { cookie, secret: started.secret };
  });
}

/** Each user's next protected request is stopped: an open challenge to answer, at `path`. */
export async function openChallenges<User extends { cookie: string }>(
  base: string,
  users: User[],
): Promise<Array<User & { challengeId: string; path: string }>> {
  return inParallel(users.length, async (i) => {
    const user = users[i]!;
    const stopped = await fetch(`${base}/api/transfer`, {
      method: "POST",
      headers: { Cookie: user.cookie, "Content-Type": "application/json" },
      body: '{"amount":1}',
    });
    if (stopped.status !== 401) throw new Error(`opening a challenge failed: ${stopped.status} ${await stopped.text()}`);
    const { challengeId } = (await stopped.json()) as { challengeId: string };
    return { ...user, challengeId, path: `/__stepgate/api/challenges/${challengeId}/verify` };
  });
}

/**
 * A console session for the bench's admin, opened at the key sign-in form as a browser does:
 * the form's CSRF token and nonce cookie, then the bootstrap key posted from the same origin.
 * Returns the session's `Cookie` pair.
 */
export async function consoleSession(base: string): Promise<string> {
  const form = await fetch(`${base}/__stepgate/admin/sign-in`);
  const nonce = form.headers
    .getSetCookie()
    .find((cookie) => cookie.startsWith("__Host-stepgate-console-form="))
    ?.split(";")[0];
  const csrf = /name="csrf" value="([^"]+)"/.exec(await form.text())?.[1];
  if (!nonce || !csrf) throw new Error(`the console's sign-in form failed: ${form.status}`);
  const signedIn = await fetch(`${base}/__stepgate/admin/sign-in`, {
    method: "POST",
    redirect: "manual",
    headers: { Cookie: nonce, Origin: base, "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ csrf, key: ADMIN_KEY }).toString(),
  });
  const session = signedIn.headers
    .getSetCookie()
    .find((cookie) => cookie.startsWith("__Host-stepgate-console="))
    ?.split(";")[0];
  if (signedIn.status !== 303 || !session) throw new Error(`signing in to the console failed: ${signedIn.status} ${await signedIn.text()}`);
  return session;
}

/** The code of the next time step: later than the one the enrolment used, within the allowed skew. */
export const nextCode = (secret: string) => new TOTP({ secret: Secret.fromBase32(secret) }).generate({ timestamp: Date.now() + 30_000 });
