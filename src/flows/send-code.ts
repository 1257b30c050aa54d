/**
 * @module
 * Sending a code by text or email, for a challenge or an enrolment: the user's cooldown and
 * hourly cap (in the user's Durable Object), then the per-IP and per-tenant caps (in the
 * tenant's), then the provider. A code that could not be delivered is withdrawn, so the user
 * is not left waiting out a cooldown for a message that never left.
 */
import type { Context } from "hono";
import type { SessionEnv } from "../app-env";
import { type Language, matchLanguage } from "../config/languages";
import { type Approval, codeMessage } from "../factors/messages";
import { messageLanguage } from "./language-words";
import { perIpBucket } from "../lib/client-ip";
import { ProblemError } from "../lib/problem";
import { deliver } from "../providers/deliver";
import type { CodeKind } from "../state/user/sent-codes";
import { tenantState, type SendAllowance } from "../state/tenant";
import { maskAddress, userState, type CodeTarget, type IssuedCode } from "../state/user";
import { requestOrigin } from "../state/user/audit";
import { refusalProblem } from "./user-outcomes";
import { reachState } from "../lib/reach-state";

export interface SentCodeReceipt {
  /** Masked destination: `+1•••••••2671`. */
  destination: string;
  expiresAt: number;
  /** When the next code may be asked for. */
  resendAfter: number;
}

/**
 * Sends a code in `pageLanguage`, the language of the page that asked for it; asked for by the
 * API, in the language the user last used a page in, else their session's language claim, else
 * the tenant's default.
 * @example
 * const receipt = await sendCode(c, { challengeId }, "sms", { operation: "withdraw", approving: [] }, "de");
 */
export async function sendCode(
  c: Context<SessionEnv>,
  target: CodeTarget,
  kind: CodeKind,
  approval: Approval | null,
  pageLanguage: Language | null,
): Promise<SentCodeReceipt> {
  const { identity, policy, tenant } = c.var;
  const settings = policy.factors[kind];
  if (!settings.enabled) throw new ProblemError(409, "factor_disabled", `Codes by ${kind === "sms" ? "text message" : "email"} are not enabled here.`);
  const origin = requestOrigin(c.req.raw);
  const user = userState(c.env, tenant.tenantId, identity.userId);
  const issued = await reachState<IssuedCode>(() =>
    user.issueCode({ target, kind, sessionId: identity.sessionId, settings, perUserPerHour: policy.sendLimits.perUserPerHour, origin }),
  );
  if (!issued.ok) throw refusalProblem(issued);
  try {
    const { perIpPerHour, perTenantPerHour } = policy.sendLimits;
    const allowance = await reachState<SendAllowance>(() =>
      tenantState(c.env, tenant.tenantId).takeSend(perIpBucket(c.req.raw, identity.userId), perIpPerHour, perTenantPerHour),
    );
    if (!allowance.ok) {
      throw new ProblemError(
        429,
        "send_limit",
        `Too many codes have been sent ${allowance.scope === "ip" ? "from this network" : "by this portal"}; try again later.`,
        {
          scope: allowance.scope,
          retryAfterSeconds: allowance.retryAfterSeconds,
        },
        { "Retry-After": String(allowance.retryAfterSeconds) },
      );
    }
    const { languages, defaultLanguage, text } = policy.branding;
    // A language the tenant has since dropped is passed over.
    const chosen =
      [pageLanguage, issued.language].find((l): l is Language => l !== null && languages.includes(l)) ??
      (identity.locale ? matchLanguage(identity.locale, languages) : undefined) ??
      defaultLanguage;
    const language = await messageLanguage(c.env, chosen);
    const message = codeMessage(
      language,
      kind,
      { tenant: policy.branding.name, code: issued.code, ttlSeconds: settings.codeTtlSeconds, approval },
      text[language],
    );
    await deliver(c.env, tenant.tenantId, policy, { channel: kind, to: issued.destination, code: issued.code, ...message });
  } catch (error) {
    const reason = error instanceof ProblemError ? error.code : "delivery_failed";
    await reachState(() => user.withdrawCode(issued.purpose, issued.sentAt, reason, origin));
    throw error;
  }
  return { destination: maskAddress(kind, issued.destination), expiresAt: issued.expiresAt, resendAfter: issued.resendAfter };
}
