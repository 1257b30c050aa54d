/**
 * @module
 * The demo portal's operation forms: their paths and field names (which the demo tenant's
 * policy and the tests rely on), how each is drawn, and what the portal refuses in them.
 */
import { html, raw } from "hono/html";
import { CURRENCIES, isCurrency, parseAmountCents, type MoneyOperation } from "./ledger";
import type { Markup } from "./portal-layout";

interface Field {
  name: string;
  label: string;
  /** The value the form starts with: the demo fills in something to send. */
  value: string;
  type?: "text" | "password" | "email" | "currency";
  autocomplete?: string;
  hint?: string;
}

export interface OperationForm {
  /** The operation's name in the demo tenant's policy. */
  operation: string;
  path: string;
  title: string;
  /** The receipt's heading. */
  done: string;
  /** How the activity list names it. */
  noun: string;
  fields: Field[];
  money?: MoneyOperation;
}

/** A refusal shown beside the form, on the field it is about. */
export interface FormError {
  field: string;
  message: string;
}

const amount = (value: string): Field => ({ name: "amount", label: "Amount", value, autocomplete: "off", hint: "For example 50 or 12.50" });
const currency: Field = { name: "currency", label: "Currency", value: "USD", type: "currency" };

export const MONEY_FORMS: OperationForm[] = [
  {
    operation: "deposit",
    money: "deposit",
    path: "/wallet/deposit",
    title: "Deposit",
    done: "Deposit received",
    noun: "Deposit",
    fields: [amount("100"), currency],
  },
  {
    operation: "withdraw",
    money: "withdraw",
    path: "/wallet/withdraw",
    title: "Withdraw",
    done: "Withdrawal received",
    noun: "Withdrawal",
    fields: [
      amount("50"),
      currency,
      { name: "destination", label: "Destination", value: "IBAN DE89 3704 0044 0532 0130 00", hint: "An IBAN or a wallet address" },
    ],
  },
  {
    operation: "transfer",
    money: "transfer",
    path: "/wallet/transfer",
    title: "Transfer",
    done: "Transfer received",
    noun: "Transfer",
    fields: [amount("25"), currency, { name: "to", label: "To account", value: "ACC-2002", hint: "Another Demo Brokerage account" }],
  },
];

export const ACCOUNT_FORMS: OperationForm[] = [
  {
    operation: "change_password",
    path: "/account/password",
    title: "Change password",
    done: "Password changed",
    noun: "Password change",
    fields: [{ name: "password", label: "New password", value: "", type: "password", autocomplete: "new-password" }],
  },
  {
    operation: "update_email",
    path: "/account/email",
    title: "Update email",
    done: "Email updated",
    noun: "Email change",
    fields: [{ name: "email", label: "New email", value: "new@demo.test", type: "email", autocomplete: "email" }],
  },
];

/**
 * What the portal refuses in a submitted form (every field filled in, a positive amount with
 * at most two decimals, a currency it holds), or null.
 * @example
 * formError(MONEY_FORMS[1]!, { amount: "-5", currency: "USD", destination: "x" }) // { field: "amount", … }
 */
export function formError(form: OperationForm, received: Record<string, unknown>): FormError | null {
  for (const field of form.fields) {
    const value = String(received[field.name] ?? "").trim();
    if (!value) return { field: field.name, message: `Fill in “${field.label}”.` };
    if (field.name === "amount" && parseAmountCents(value) === null) return { field: "amount", message: "Enter an amount above zero, like 50 or 12.50." };
    if (field.type === "currency" && !isCurrency(value)) return { field: "currency", message: `Choose one of ${CURRENCIES.join(", ")}.` };
  }
  return null;
}

/**
 * The form, filled in with `values` (what was sent, after a refusal) or the defaults.
 * @example
 * operationForm(MONEY_FORMS[0]!, null, null)
 */
export function operationForm(form: OperationForm, values: Record<string, unknown> | null, error: FormError | null): Markup {
  const errorId = `${form.operation}-error`;
  return html`<div class="card narrow">
    <form method="post" action="${form.path}">
      ${error ? html`<p class="error" role="alert" id="${errorId}">${error.message}</p>` : ""}
      ${form.fields.map((field) => fieldMarkup(form.operation, field, String(values?.[field.name] ?? field.value), error?.field === field.name ? errorId : null))}
      <button type="submit">${form.title}</button>
    </form>
  </div>`;
}

function fieldMarkup(operation: string, field: Field, value: string, errorId: string | null): Markup {
  const id = `${operation}-${field.name}`;
  const hintId = field.hint ? `${id}-hint` : null;
  const describedBy = [errorId, hintId].filter(Boolean).join(" ");
  const aria = raw(`${describedBy ? ` aria-describedby="${describedBy}"` : ""}${errorId ? ' aria-invalid="true"' : ""}`);
  const control =
    field.type === "currency"
      ? html`<select id="${id}" name="${field.name}"${aria}>${CURRENCIES.map(
          (code) => html`<option${code === value ? raw(" selected") : ""}>${code}</option>`,
        )}</select>`
      : html`<input id="${id}" name="${field.name}" type="${field.type ?? "text"}" value="${value}" required${field.name === "amount" ? raw(' inputmode="decimal"') : ""}${
          field.autocomplete ? html` autocomplete="${field.autocomplete}"` : ""
        }${aria} />`;
  return html`<div class="field"><label for="${id}">${field.label}</label>${control}${hintId ? html`<p class="hint" id="${hintId}">${field.hint}</p>` : ""}</div>`;
}
