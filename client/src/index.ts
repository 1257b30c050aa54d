/**
 * @module
 * stepgate's client for single-page portals: `fetch` that steps up in place when stepgate asks.
 * The same API as the script tag's `window.stepgate` (`/__stepgate/client.js`).
 * @example
 * import * as stepgate from "@stepgate/client";
 * const response = await stepgate.fetch("/api/withdraw", { method: "POST", body });
 */
export { type ChallengeMode, type ClientSettings, configure } from "./client-settings.js";
export { StepUpError, type StepUpErrorCode } from "./errors.js";
export { type InstallOptions, install, type PathMatch } from "./install.js";
export { resume } from "./resume.js";
export { type StepUpOptions, stepUpFetch as fetch } from "./step-up-fetch.js";
