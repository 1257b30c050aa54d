/**
 * @module
 * The demo portal's check of `StepGate-Assurance`, as an origin behind stepgate does it
 * (docs/deploy.md): verified with `jose` against stepgate's published key set, for the expected
 * issuer, audience and type; for the operation the route performs and the user the portal's
 * session names; and, for an operation bound to its request, for the very body received — its
 * digest computed as stepgate computes it (src/gate/request-digest.ts). An assurance bound to a
 * request is signed for that request alone, so one is accepted once: a copy sent again is refused.
 */
import { errors, jwtVerify, type JWTVerifyGetKey } from "jose";
import { readBody, requestDigest } from "../src/gate/request-digest";

export const ASSURANCE_HEADER = "StepGate-Assurance";

export interface AssuranceSettings {
  /** stepgate's key set: `createRemoteJWKSet(new URL("https://portal.example/__stepgate/.well-known/jwks.json"))`. */
  keys: JWTVerifyGetKey;
  /** The issuers accepted: `https://<each public host>/__stepgate`. */
  issuers: string[];
  /** This origin, as the tenant's policy names it (`policy.origin`). */
  audience: string;
}

/** What a valid assurance told the portal. */
export interface Assurance {
  operation: string;
  /** RFC 8176 values; empty when the user did not step up (2FA optional and not set up). */
  amr: string[];
  /** When the user stepped up, epoch ms; `null` when they did not. */
  authTimeMs: number | null;
}

export type AssuranceCheck = { ok: true; assurance: Assurance } | { ok: false; reason: string };

/** Assurances bound to a request, by `jti`, until they expire (epoch ms): each is accepted once. */
const spent = new Map<string, number>();

/**
 * Checks the assurance of `request` for `operation` by `user`.
 * @example
 * const check = await checkAssurance(c.req.raw, settings, { operation: "withdraw", user });
 * if (!check.ok) return c.text(check.reason, 403);
 */
export async function checkAssurance(request: Request, settings: AssuranceSettings, expected: { operation: string; user: string }): Promise<AssuranceCheck> {
  const token = request.headers.get(ASSURANCE_HEADER);
  if (!token) return { ok: false, reason: "The request did not come through stepgate: it carries no assurance." };
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, settings.keys, {
      algorithms: ["ES256"],
      issuer: settings.issuers,
      audience: settings.audience,
      typ: "stepgate-assurance+jwt",
    }));
  } catch (error) {
    if (error instanceof errors.JOSEError) return { ok: false, reason: `The assurance is not valid (${error.code}).` };
    throw error;
  }
  if (payload.op !== expected.operation)
    return { ok: false, reason: `The assurance is for ${String(payload.op ?? "no operation")}, not ${expected.operation}.` };
  if (payload.sub !== expected.user) return { ok: false, reason: "The assurance is for another user." };
  // Read from a copy: the route still reads the body itself.
  const digest = await requestDigest(request, await readBody(request.clone()));
  if (payload.rd !== digest) return { ok: false, reason: "The assurance approves another request than the one received." };
  const now = Date.now();
  for (const [jti, until] of spent) if (until <= now) spent.delete(jti);
  const jti = String(payload.jti);
  if (spent.has(jti)) return { ok: false, reason: "This assurance was used already: a request is approved once." };
  spent.set(jti, Number(payload.exp) * 1000);
  const amr = Array.isArray(payload.amr) ? payload.amr.map(String) : [];
  const authTimeMs = typeof payload.auth_time === "number" ? payload.auth_time * 1000 : null;
  return { ok: true, assurance: { operation: expected.operation, amr, authTimeMs } };
}

/**
 * A verified assurance of the session's sign-in (`op: "login"`), for the overview to show how
 * it was confirmed; `null` when there is none to show. Never refuses: the page is the portal's own.
 * @example
 * const signIn = await signInAssurance(c.req.raw, settings, user);
 */
export async function signInAssurance(request: Request, settings: AssuranceSettings, user: string): Promise<Assurance | null> {
  const token = request.headers.get(ASSURANCE_HEADER);
  if (!token) return null;
  try {
    const { payload } = await jwtVerify(token, settings.keys, {
      algorithms: ["ES256"],
      issuer: settings.issuers,
      audience: settings.audience,
      typ: "stepgate-assurance+jwt",
    });
    if (payload.op !== "login" || payload.sub !== user || !Array.isArray(payload.amr)) return null;
    return { operation: "login", amr: payload.amr.map(String), authTimeMs: typeof payload.auth_time === "number" ? payload.auth_time * 1000 : null };
  } catch (error) {
    if (error instanceof errors.JOSEError) return null;
    throw error;
  }
}

/** How each `amr` value reads on the portal's pages. */
const METHOD_WORDS: Readonly<Record<string, string>> = {
  otp: "an authenticator app",
  sms: "a code by text message",
  mail: "a code by email",
  hwk: "a security key or device-bound passkey",
  swk: "a synced passkey",
  backup_code: "a backup code",
  trusted_device: "a trusted device",
};

/**
 * The assurance in words: "Confirmed with an authenticator app at 14:02 UTC".
 * @example
 * confirmedWith({ operation: "withdraw", amr: ["otp", "mfa"], authTimeMs: Date.UTC(2026, 0, 5, 14, 2) }) // "Confirmed with an authenticator app at 14:02 UTC"
 */
export function confirmedWith(assurance: Assurance): string {
  const method = assurance.amr.map((value) => METHOD_WORDS[value]).find((words) => words !== undefined);
  if (!method || assurance.authTimeMs === null) return "Not confirmed with a second factor: two-step verification is not set up for this account.";
  return `Confirmed with ${method} at ${new Date(assurance.authTimeMs).toISOString().slice(11, 16)} UTC`;
}
