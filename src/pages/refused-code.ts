/**
 * @module
 * A refused code as the hosted pages show it: beside the form that sent it, in words (wrong,
 * with the attempts left, or locked out, with the minutes to wait).
 */
import { ProblemError } from "../lib/problem";

/** A refused code the page shows beside its form ({@link wrongCodeMessage}); anything else is an error page. */
export function shownBesideForm(error: unknown): error is ProblemError {
  return error instanceof ProblemError && ["invalid_code", "locked", "ip_rate_limited"].includes(error.code);
}

/** What went wrong with a refused code, and what the user can do: try again, or wait. */
export function wrongCodeMessage(error: ProblemError): string {
  if (error.code === "locked" || error.code === "ip_rate_limited") {
    const minutes = Math.ceil(Number(error.extras.retryAfterSeconds) / 60);
    const from = error.code === "ip_rate_limited" ? " from this network" : "";
    return `Too many wrong codes${from}. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`;
  }
  const left = Number(error.extras.attemptsRemaining);
  return `That code is not right. ${left} attempt${left === 1 ? "" : "s"} left.`;
}
