/**
 * @module
 * Shows a challenge in a modal `<dialog>` over the page: the hosted page in a same-origin iframe,
 * named by its title, closed by Escape (in the page or the frame), focus given back where it was.
 */
import { embeddedUrl } from "./challenge-url.js";
import { watchChallenge } from "./challenge-watch.js";
import { provisionalName } from "./dialog-name.js";
import { StepUpError } from "./errors.js";
import type { StepUpChallenge } from "./step-up-answer.js";

/**
 * Only through the CSSOM (`element.style`), never a `<style>` element or a style attribute: a
 * portal's Content-Security-Policy may refuse inline styles, not these. Sized to fit a 390 px phone.
 */
const DIALOG_STYLE: Partial<CSSStyleDeclaration> = {
  width: "min(30rem, 100vw - 1rem)",
  height: "min(44rem, 100vh - 2rem)",
  maxWidth: "100vw",
  maxHeight: "100vh",
  padding: "0",
  border: "0",
  borderRadius: "0.5rem",
  overflow: "hidden",
};
const FRAME_STYLE: Partial<CSSStyleDeclaration> = { display: "block", width: "100%", height: "100%", border: "0" };

/**
 * Shows `challenge` in a modal dialog until it ends: resolves when the user verified; rejects
 * with a `StepUpError` (or `signal`'s reason) otherwise.
 * @example
 * await showChallengeDialog(challenge, request.signal);
 */
export function showChallengeDialog(challenge: StepUpChallenge, signal: AbortSignal | null): Promise<void> {
  const dialog = document.createElement("dialog");
  const frame = document.createElement("iframe");
  Object.assign(dialog.style, DIALOG_STYLE);
  Object.assign(frame.style, FRAME_STYLE);
  const name = (text: string) => {
    dialog.setAttribute("aria-label", text);
    frame.title = text;
  };
  name(provisionalName(document.documentElement.lang));
  // Escape pressed in the frame never reaches the dialog: heard in each of its documents, so a
  // page still loading, or one that does not end the challenge itself (an error), can be left.
  const cancelOnEscape = (event: KeyboardEvent) => {
    if (event.key === "Escape" && !event.defaultPrevented) dialog.close();
  };
  // Same origin, so its title is readable; a page the frame was led away to has none for us.
  frame.addEventListener("load", () => {
    const page = frame.contentDocument;
    page?.addEventListener("keydown", cancelOnEscape);
    const title = page?.title.trim();
    if (title) name(title);
  });
  frame.src = embeddedUrl(challenge.challengeUrl, "dialog").href;
  dialog.append(frame);
  document.body.append(dialog);
  frame.contentDocument?.addEventListener("keydown", cancelOnEscape);
  const watch = watchChallenge(
    challenge,
    frame.contentWindow!,
    () => {
      // Closing a modal dialog gives focus back to the element that had it before (HTML's
      // "previously focused element"), in every browser the client supports.
      if (dialog.open) dialog.close();
      dialog.remove();
    },
    signal,
  );
  // Escape (the dialog's cancel) and any other way the dialog closes before the challenge ended.
  dialog.addEventListener("close", watch.closedByUser);
  try {
    // Modal: the rest of the page is inert, so focus stays in the challenge until it ends.
    dialog.showModal();
  } catch {
    watch.fail(new StepUpError("blocked", challenge.challengeId));
  }
  return watch.ended;
}
