/**
 * @module
 * The `WWW-Authenticate` of a step-up 401: stepgate's own `StepUp` challenge (the challenge to
 * answer and the operation), and beside it the OAuth one of RFC 9470 (OAuth 2.0 Step Up
 * Authentication Challenge Protocol), so a client that speaks OAuth reads the same answer as
 * "authenticate again, at most `max_age` seconds ago, at `acr_values`".
 */

/**
 * Said to OAuth clients in `error_description`: ASCII without quotes or backslashes, as a
 * quoted-string of RFC 9110 carries it unescaped.
 */
const DESCRIPTION = "A fresh second-factor verification is required for this operation";

/** What the header says: the challenge, its operation, how fresh a proof must be and the operation's class. */
export interface StepUpHeader {
  challengeId: string;
  operation: string;
  /** The operation's freshness (`maxAge`): RFC 9470's `max_age`, `0` for a proof on every request. */
  maxAgeSeconds: number;
  /** The operation's `acr` label, when the policy names one: RFC 9470's `acr_values`. */
  acr?: string;
}

/**
 * Both challenges in one header value (RFC 9110 §11.6.1 lets one field list several). Every
 * value is a random id, an operation name, a number or a policy label checked to be a token
 * without quotes, so nothing needs escaping.
 * @example
 * stepUpAuthenticate({ challengeId, operation: "withdraw", maxAgeSeconds: 0 })
 * // 'StepUp challenge="…", operation="withdraw", Bearer error="insufficient_user_authentication", error_description="…", max_age=0'
 */
export function stepUpAuthenticate({ challengeId, operation, maxAgeSeconds, acr }: StepUpHeader): string {
  const bearer = [`error="insufficient_user_authentication"`, `error_description="${DESCRIPTION}"`, `max_age=${maxAgeSeconds}`];
  if (acr) bearer.push(`acr_values="${acr}"`);
  return `StepUp challenge="${challengeId}", operation="${operation}", Bearer ${bearer.join(", ")}`;
}
