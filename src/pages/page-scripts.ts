/**
 * @module
 * The few lines of script some pages run, as constants: never built from input, allowed by the
 * response's nonce (`PageScript` in the layout). Every page works without them; they count a
 * wait down and offer what only script can do (copy to the clipboard, print, passkeys). The words they
 * show are in the page already, in its language: a script only shows or hides them.
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

/**
 * Shows the backup codes' copy and print buttons (hidden without script): copy puts the codes
 * on the clipboard, one a line, and shows the page's "copied" note; print opens the browser's
 * print dialog (the print stylesheet leaves just the codes).
 */
const BACKUP_CODES = `(() => {
  const codes = Array.from(document.querySelectorAll("#backup-codes li"), (item) => item.textContent).join("\\n");
  const copy = document.getElementById("copy-codes");
  const copied = document.getElementById("codes-copied");
  const print = document.getElementById("print-codes");
  if (navigator.clipboard) {
    copy.hidden = false;
    copy.addEventListener("click", () => navigator.clipboard.writeText(codes).then(() => { copied.hidden = false; }, () => { copy.hidden = true; }));
  }
  print.hidden = false;
  print.addEventListener("click", () => window.print());
})();`;

/**
 * The passkey form (`form[data-passkey]`, hidden without script): where the browser has
 * WebAuthn's JSON helpers, shows the form in place of the note that passkeys need them. On
 * submit it asks the browser for a new passkey (`data-passkey="create"`) or for an answer from
 * one (`"get"`) with the options the server put in `data-options` (read as JSON, never run),
 * puts the browser's `credential.toJSON()` in the form's `response` field and sends the form.
 * A cancelled or failed prompt shows the page's note for it and leaves the button to try again.
 */
const PASSKEY = `(() => {
  const form = document.querySelector("form[data-passkey]");
  const pkc = window.PublicKeyCredential;
  if (!form || !pkc || !pkc.parseCreationOptionsFromJSON || !pkc.parseRequestOptionsFromJSON || !navigator.credentials) return;
  const create = form.dataset.passkey === "create";
  const options = JSON.parse(form.dataset.options);
  const button = form.querySelector("button[type=submit]");
  const notes = ["passkey-cancelled", "passkey-exists", "passkey-failed"].map((id) => document.getElementById(id)).filter(Boolean);
  document.getElementById("passkey-unsupported").hidden = true;
  form.hidden = false;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    for (const note of notes) note.hidden = true;
    button.disabled = true;
    Promise.resolve()
      .then(() => create
        ? navigator.credentials.create({ publicKey: pkc.parseCreationOptionsFromJSON(options) })
        : navigator.credentials.get({ publicKey: pkc.parseRequestOptionsFromJSON(options) }))
      .then((credential) => {
        form.elements.response.value = JSON.stringify(credential.toJSON());
        form.submit();
      }, (error) => {
        button.disabled = false;
        const id = error.name === "NotAllowedError" ? "passkey-cancelled" : error.name === "InvalidStateError" && create ? "passkey-exists" : "passkey-failed";
        document.getElementById(id).hidden = false;
      });
  });
})();`;

/**
 * A new API key's page (or a webhook's new signing secret's, with the same ids): focusing its
 * read-only field selects the key whole; where the browser offers the clipboard, shows the copy
 * button (hidden without script), which puts the key there and shows the page's "copied" note
 * (on a refused copy the button goes and the key is selected).
 */
const COPY_KEY = `(() => {
  const field = document.getElementById("new-key");
  const copy = document.getElementById("copy-key");
  const copied = document.getElementById("key-copied");
  field.addEventListener("focus", () => field.select());
  if (!navigator.clipboard) return;
  copy.hidden = false;
  copy.addEventListener("click", () => navigator.clipboard.writeText(field.value).then(() => { copied.hidden = false; }, () => { copy.hidden = true; field.select(); }));
})();`;

/**
 * A page the SPA client shows in its dialog (an iframe) or a popup (`#stepgate-embed`, see
 * `embedding.ts`): tells the window that opened it, as a message only a window of this origin
 * receives (the target origin is the page's own), that the user gave up (the Cancel button, or
 * Escape, which a dialog around an iframe never sees), that the page shows a lockout (`#locked`,
 * with the seconds it lasts when it ends by itself), or that the
 * user is done (a popup then closes). The client trusts a message for nothing but its cue: it
 * sends the held request through stepgate, which checks the verification itself.
 */
const EMBED = `(() => {
  const root = document.getElementById("stepgate-embed");
  const popup = root.dataset.mode === "popup";
  const target = popup ? window.opener : window.parent;
  if (!target || target === window) return;
  const post = (message) => target.postMessage(Object.assign({ challengeId: root.dataset.challenge }, message), location.origin);
  const cancel = document.getElementById("embed-cancel");
  const finished = document.querySelector("[data-embed-finished]");
  const locked = document.getElementById("locked");
  cancel.hidden = Boolean(finished);
  cancel.addEventListener("click", () => post({ type: "stepgate:cancelled" }));
  document.addEventListener("keydown", (event) => { if (event.key === "Escape") post({ type: "stepgate:cancelled" }); });
  // A lock until an admin unlocks has no end to wait for: no retryAfter.
  if (locked) post({ type: "stepgate:locked", retryAfter: locked.dataset.lockedFor ? Number(locked.dataset.lockedFor) : undefined });
  if (finished) {
    post({ type: "stepgate:verified" });
    if (popup) window.close();
  }
})();`;

export const PAGE_SCRIPTS = { countdown: COUNTDOWN, backupCodes: BACKUP_CODES, passkey: PASSKEY, copyKey: COPY_KEY, embed: EMBED } as const;

export type PageScriptName = keyof typeof PAGE_SCRIPTS;
