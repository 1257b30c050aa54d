/**
 * @module
 * The policy settings every sent-code factor (SMS, email) shares.
 */
import type { Policy } from "../config/policy-schema";

export type CodeSettings = Pick<Policy["factors"]["sms"], "codeLength" | "codeTtlSeconds" | "resendCooldownSeconds" | "maxAttemptsPerCode">;
