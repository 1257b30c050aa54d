/**
 * @module
 * The demo portal's page bodies: home, sign-in, wallet, account and receipts. Each is plain
 * markup from what the routes hand it; `page()` puts it in the frame.
 */
import { html } from "hono/html";
import { CURRENCIES, formatMoney, type Currency, type Receipt } from "./ledger";
import { ACCOUNT_FORMS, MONEY_FORMS, operationForm, type FormError, type OperationForm } from "./portal-forms";
import type { Markup } from "./portal-layout";
import { quickTransfer } from "./quick-transfer";

const ALL_FORMS = [...MONEY_FORMS, ...ACCOUNT_FORMS];
export const formOf = (operation: string): OperationForm | undefined => ALL_FORMS.find((form) => form.operation === operation);

export function signedOutHome(): Markup {
  return html`<div class="grid">
    <section class="card" aria-labelledby="start">
      <h2 id="start">Your account</h2>
      <p>Sign in to see your balance, move money and look after your account.</p>
      <p><a class="button" href="/login">Sign in</a></p>
    </section>
    <section class="card" aria-labelledby="what">
      <h2 id="what">What this is</h2>
      <p>The portal <code>npm run dev</code> puts behind stepgate. Sign in with any name, set up a second factor, then
        withdraw: stepgate asks for a code before the portal sees the request.</p>
    </section>
  </div>`;
}

export function loginForm(error: string | null): Markup {
  return html`<div class="card narrow">
    <p class="muted">Any username and password work: this is a demo. A new username is a new customer.</p>
    <form method="post" action="/login">
      ${error ? html`<p class="error" role="alert" id="login-error">${error}</p>` : ""}
      <div class="field">
        <label for="username">Username</label>
        <input id="username" name="username" autocomplete="username" required${error ? html` aria-invalid="true" aria-describedby="login-error"` : ""} />
      </div>
      <div class="field">
        <label for="password">Password</label>
        <input id="password" name="password" type="password" autocomplete="current-password" />
      </div>
      <button type="submit">Sign in</button>
    </form>
  </div>`;
}

export function overview(user: string, balances: Record<Currency, number>, recent: Receipt[], signIn: string | null): Markup {
  const others = CURRENCIES.filter((code) => code !== "USD").map((code) => formatMoney(balances[code], code));
  return html`<p>Signed in as <strong>${user}</strong>.${signIn ? html` <span id="sign-in-confirmed">Sign-in ${signIn.charAt(0).toLowerCase()}${signIn.slice(1)}.</span>` : ""}</p>
    <div class="grid">
      <section class="card" aria-labelledby="cash">
        <h2 id="cash">Cash balance</h2>
        <p class="balance" id="cash-balance">${formatMoney(balances.USD, "USD")}</p>
        <p class="muted">Also held: ${others.join(" · ")}</p>
        ${moneyActions()}
      </section>
      <section class="card" aria-labelledby="protect">
        <h2 id="protect">Protect your account</h2>
        <p>With a second factor (an authenticator app, your phone or your email), signing in and every deposit, withdrawal
          and transfer ask for a code first.</p>
        <div class="actions"><a class="button" href="/__stepgate/enroll">Set up 2FA</a><a class="button secondary" href="/__stepgate/settings">Security settings</a></div>
      </section>
      ${quickTransfer()}
    </div>
    ${activity("Recent activity", recent)}`;
}

export function wallet(balances: Record<Currency, number>, recent: Receipt[]): Markup {
  return html`<div class="grid">
      ${CURRENCIES.map(
        (code) => html`<section class="card" aria-labelledby="balance-${code}">
          <h2 id="balance-${code}">${code}</h2>
          <p class="balance">${formatMoney(balances[code], code)}</p>
        </section>`,
      )}
    </div>
    <section class="card" aria-labelledby="move"><h2 id="move">Move money</h2>${moneyActions()}</section>
    ${activity("Activity", recent)}`;
}

export function moneyPage(form: OperationForm, balances: Record<Currency, number>, values: Record<string, unknown> | null, error: FormError | null): Markup {
  const held = CURRENCIES.map((code) => formatMoney(balances[code], code)).join(" · ");
  return html`<p class="muted">Available: ${held}</p>
    ${operationForm(form, values, error)}
    <p class="hint">Behind stepgate, this form is approved with a code first (when you have a second factor): what you approve is exactly what the portal receives.</p>`;
}

export function account(user: string, values: Record<string, unknown> | null, failed: { operation: string; error: FormError | null } | null): Markup {
  return html`<p>Signed in as <strong>${user}</strong> (${user}@demo.test).</p>
    ${ACCOUNT_FORMS.map(
      (form) => html`<section aria-labelledby="${form.operation}-title">
        <h2 id="${form.operation}-title">${form.title}</h2>
        ${failed?.operation === form.operation ? operationForm(form, values, failed.error) : operationForm(form, null, null)}
      </section>`,
    )}`;
}

export function receiptPage(receipt: Receipt): Markup {
  const { received, money } = receipt;
  const detail = ["destination", "to", "email"].filter((name) => typeof received[name] === "string");
  return html`<div class="card">
      <dl class="summary">
        <dt>Reference</dt><dd>${receipt.id.slice(0, 8).toUpperCase()}</dd>
        <dt>When</dt><dd>${when(receipt.atMs)}</dd>
        ${receipt.confirmed ? html`<dt>Confirmed</dt><dd id="confirmed">${receipt.confirmed}</dd>` : ""}
        ${money ? html`<dt>Amount</dt><dd class="${money.changeCents < 0 ? "out" : "in"}">${formatMoney(money.changeCents, money.currency)}</dd>` : ""}
        ${detail.map((name) => html`<dt>${formOf(receipt.operation)?.fields.find((f) => f.name === name)?.label ?? name}</dt><dd>${String(received[name])}</dd>`)}
        ${money ? html`<dt>Balance after</dt><dd>${formatMoney(money.balanceAfterCents, money.currency)}</dd>` : ""}
      </dl>
    </div>
    <section class="card" aria-labelledby="received-title">
      <h2 id="received-title">What the portal received</h2>
      <p class="muted">The <strong>${receipt.operation}</strong> form for ${receipt.user}, exactly as it arrived through stepgate:</p>
      <pre id="received" tabindex="0" role="region" aria-label="The form, as received">${JSON.stringify(received, null, 2)}</pre>
    </section>
    <p><a href="${money ? "/wallet" : "/account"}">Back to ${money ? "the wallet" : "your account"}</a></p>`;
}

/**
 * Why the portal refused an operation stepgate's assurance did not cover: a request that came
 * around stepgate, or one whose approval was for something else.
 */
export function refusedPage(form: OperationForm, reason: string): Markup {
  return html`<div class="card narrow">
    <p class="error" role="alert">${reason}</p>
    <p>The portal accepts a ${form.noun.toLowerCase()} only with stepgate's assurance for exactly this request.</p>
    <p><a href="${form.path.startsWith("/wallet") ? form.path : "/account"}">Back to the form</a></p>
  </div>`;
}

export function missingReceipt(): Markup {
  return html`<div class="card">
    <p>There is no such receipt for you: it belongs to someone else, or the portal restarted and forgot it.</p>
    <p><a href="/wallet">Go to the wallet</a></p>
  </div>`;
}

function moneyActions(): Markup {
  return html`<div class="actions">${MONEY_FORMS.map((form) => html`<a class="button" href="${form.path}">${form.title}</a>`)}</div>`;
}

function activity(title: string, receipts: Receipt[]): Markup {
  const rows = receipts.map(
    (receipt) => html`<tr>
      <td class="wide">${when(receipt.atMs)}</td>
      <td><a href="/receipts/${receipt.id}">${formOf(receipt.operation)?.noun ?? receipt.operation}</a></td>
      <td class="num ${receipt.money && receipt.money.changeCents < 0 ? "out" : "in"}">${receipt.money ? formatMoney(receipt.money.changeCents, receipt.money.currency) : "—"}</td>
    </tr>`,
  );
  return html`<section class="card" aria-labelledby="activity-title">
    <h2 id="activity-title">${title}</h2>
    ${
      receipts.length === 0
        ? html`<p class="muted">Nothing yet: make a deposit, a withdrawal or a transfer.</p>`
        : html`<table><thead><tr><th scope="col" class="wide">When</th><th scope="col">What</th><th scope="col" class="num">Amount</th></tr></thead><tbody>${rows}</tbody></table>`
    }
  </section>`;
}

const when = (ms: number) => `${new Date(ms).toISOString().slice(0, 16).replace("T", " ")} UTC`;
