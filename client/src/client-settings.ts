/**
 * @module
 * How the page wants its challenges shown: `stepgate.configure` and the mode it set.
 */

/**
 * How a challenge is shown: in a modal dialog over the page (same-origin iframe), in a popup
 * window, or by leaving the page for the challenge and coming back (`stepgate.resume`).
 */
export type ChallengeMode = "dialog" | "popup" | "redirect";

/** The client's settings for every call that does not say otherwise. */
export interface ClientSettings {
  /** How challenges are shown; default `"dialog"`. */
  mode?: ChallengeMode;
}

const MODES: readonly string[] = ["dialog", "popup", "redirect"];
let configuredMode: ChallengeMode = "dialog";

/**
 * Sets how challenges are shown from now on (a call's own `{ mode }` still wins).
 * @example
 * stepgate.configure({ mode: "popup" });
 */
export function configure(settings: ClientSettings): void {
  if (settings.mode !== undefined) configuredMode = checkedMode(settings.mode);
}

/** The mode a call uses: its own, else the configured one. */
export function modeFor(mode: ChallengeMode | undefined): ChallengeMode {
  return mode === undefined ? configuredMode : checkedMode(mode);
}

// A page using the script tag has no types to catch a misspelt mode: say so rather than guess.
function checkedMode(mode: string): ChallengeMode {
  if (!MODES.includes(mode)) throw new TypeError(`stepgate: unknown mode "${mode}" (dialog, popup or redirect)`);
  return mode as ChallengeMode;
}
