/**
 * @module
 * The few lines of script some pages run, as constants: never built from input, allowed by the
 * response's nonce (`PageScript` in the layout). Every page works without them; they count a
 * wait down. The words they show are in the page already, in its language: a script only shows
 * or hides them, or writes a number as the server does.
 */

/**
 * Counts down each `[data-countdown]` note (seconds left, as the server counted them) in the
 * page's language, as the server writes a wait (`PageText.wait`), with the send button of its
 * form disabled; at zero the note goes and the button works.
 */
const COUNTDOWN = `(() => {
  const unit = (value, name) => new Intl.NumberFormat(document.documentElement.lang, { style: "unit", unit: name, unitDisplay: "long" }).format(value);
  for (const note of document.querySelectorAll("[data-countdown]")) {
    const button = note.closest("form").querySelector("button");
    const shown = note.querySelector("[data-wait]");
    const end = Date.now() + Number(note.dataset.countdown) * 1000;
    const tick = () => {
      const left = Math.ceil((end - Date.now()) / 1000);
      button.disabled = left > 0;
      note.hidden = left <= 0;
      if (left <= 0) return;
      shown.textContent = left <= 120 ? unit(left, "second") : unit(Math.ceil(left / 60), "minute");
      setTimeout(tick, ((end - Date.now()) % 1000) + 5);
    };
    tick();
  }
})();`;

export const PAGE_SCRIPTS = { countdown: COUNTDOWN } as const;

export type PageScriptName = keyof typeof PAGE_SCRIPTS;
