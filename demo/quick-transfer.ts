/**
 * @module
 * The overview's "Quick transfer": what a single-page portal does with stepgate's SPA client.
 * Without script it is an ordinary form to `/wallet/transfer` (stepgate holds it and the
 * challenge page sends it). With script it sends the same fields as JSON to `/api/transfer`
 * through `stepgate.fetch`: a step-up opens in a dialog over the page, the form stays as it was,
 * and the portal's answer (or why nothing was sent) is shown in place.
 */
import { html } from "hono/html";
import { CURRENCIES } from "./ledger";
import type { Markup } from "./portal-layout";

export const QUICK_TRANSFER_SCRIPT_PATH = "/quick-transfer.js";
/** stepgate's SPA client, served by stepgate on the portal's own host. */
export const STEPGATE_CLIENT_PATH = "/__stepgate/client.js";

/**
 * The widget's script (a file, not inline: a portal's Content-Security-Policy may allow only its own
 * scripts). `stepgate.fetch` resolves with the portal's answer once the user has verified, or
 * rejects with a `StepUpError` saying why nothing was sent.
 */
export const QUICK_TRANSFER_SCRIPT = `(() => {
  const form = document.getElementById("quick-transfer");
  const status = document.getElementById("quick-transfer-status");
  const balance = document.getElementById("cash-balance");
  const why = {
    cancelled: "Cancelled: nothing was sent.",
    expired: "The confirmation timed out: nothing was sent. Try again.",
    locked: "Verification is paused after too many wrong codes: nothing was sent.",
  };
  // Not disabled while it is out (a disabled button loses the focus the dialog gives back):
  // marked busy, and a second press is ignored.
  let sending = false;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (sending) return;
    sending = true;
    form.setAttribute("aria-busy", "true");
    const fields = Object.fromEntries(new FormData(form));
    status.textContent = "Sending…";
    try {
      const response = await stepgate.fetch("/api/transfer", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(fields),
      });
      const answer = await response.json();
      if (response.ok && answer.receipt) {
        status.textContent = "Sent " + answer.receipt.amount + " to " + answer.received.to + ". Reference " + answer.receipt.reference + ".";
        if (balance && answer.received.currency === "USD") balance.textContent = answer.receipt.balanceAfter;
      } else {
        status.textContent = answer.error || "The portal answered " + response.status + ".";
      }
    } catch (error) {
      status.textContent = error instanceof stepgate.StepUpError ? why[error.code] || "Not sent: " + error.message : "Not sent: " + error.message;
    } finally {
      sending = false;
      form.removeAttribute("aria-busy");
    }
  });
})();
`;

/**
 * The widget's markup: a plain form that works without script (see the module).
 * @example
 * quickTransfer()
 */
export function quickTransfer(): Markup {
  return html`<section class="card" aria-labelledby="quick-title">
    <h2 id="quick-title">Quick transfer</h2>
    <form id="quick-transfer" method="post" action="/wallet/transfer">
      <div class="field"><label for="quick-amount">Amount</label><input id="quick-amount" name="amount" value="25" inputmode="decimal" autocomplete="off" required /></div>
      <div class="field"><label for="quick-currency">Currency</label><select id="quick-currency" name="currency">${CURRENCIES.map(
        (code) => html`<option>${code}</option>`,
      )}</select></div>
      <div class="field"><label for="quick-to">To account</label><input id="quick-to" name="to" value="ACC-2002" autocomplete="off" required /></div>
      <button type="submit">Send</button>
    </form>
    <p id="quick-transfer-status" role="status" aria-live="polite"></p>
    <p class="hint">Sent in place through stepgate's client: the confirmation opens over this page and the form stays as it is.</p>
  </section>`;
}
