/**
 * @module
 * The demo portal's money, in memory: each user's balances and the receipts its forms lead to.
 * Enough for the portal to look like a brokerage; it forgets everything when `npm run dev` stops.
 */

export const CURRENCIES = ["USD", "EUR", "GBP"] as const;
export type Currency = (typeof CURRENCIES)[number];
export type MoneyOperation = "deposit" | "withdraw" | "transfer";

/** What a new user holds: something to withdraw and transfer from the first minute. */
const STARTING_CENTS: Record<Currency, number> = { USD: 25_000_00, EUR: 0, GBP: 0 };
/** Receipts kept across all users; the oldest go first. */
const MAX_RECEIPTS = 1000;
const AMOUNT = /^(\d{1,9})(?:\.(\d{1,2}))?$/;

export interface Receipt {
  id: string;
  user: string;
  operation: string;
  /** The form exactly as the portal received it. */
  received: Record<string, unknown>;
  atMs: number;
  /** For money: the signed change and the balance after it, in cents. */
  money?: { currency: Currency; changeCents: number; balanceAfterCents: number };
  /** How the user confirmed it, as stepgate's assurance told ("Confirmed with an authenticator app at 14:02 UTC"); `null` when unknown. */
  confirmed?: string | null;
}

export type Movement = { ok: true; changeCents: number; balanceAfterCents: number } | { ok: false; error: string };

/**
 * `"12.5"` → 1250; null for anything that is not a positive amount with at most two decimals.
 * @example
 * parseAmountCents("50") // 5000
 */
export function parseAmountCents(text: string): number | null {
  const match = AMOUNT.exec(text.trim());
  if (!match) return null;
  const cents = Number(match[1]) * 100 + Number((match[2] ?? "").padEnd(2, "0"));
  return cents > 0 ? cents : null;
}

/**
 * @example
 * formatMoney(-5000, "USD") // "-$50.00"
 */
export function formatMoney(cents: number, currency: Currency): string {
  return new Intl.NumberFormat("en-US", { style: "currency", currency }).format(cents / 100);
}

export const isCurrency = (value: unknown): value is Currency => CURRENCIES.includes(value as Currency);

/**
 * @example
 * const ledger = new Ledger();
 * ledger.move("alice", "withdraw", 5000, "USD"); // { ok: true, changeCents: -5000, balanceAfterCents: 2_495_000 }
 */
export class Ledger {
  #balances = new Map<string, Record<Currency, number>>();
  #receipts = new Map<string, Receipt>();

  balances(user: string): Record<Currency, number> {
    const balances = this.#balances.get(user) ?? { ...STARTING_CENTS };
    this.#balances.set(user, balances);
    return balances;
  }

  /** Deposits add; withdrawals and transfers take, never below zero. */
  move(user: string, operation: MoneyOperation, cents: number, currency: Currency): Movement {
    const balances = this.balances(user);
    const changeCents = operation === "deposit" ? cents : -cents;
    if (balances[currency] + changeCents < 0) {
      return { ok: false, error: `Not enough ${currency}: the balance is ${formatMoney(balances[currency], currency)}.` };
    }
    balances[currency] += changeCents;
    return { ok: true, changeCents, balanceAfterCents: balances[currency] };
  }

  record(receipt: Omit<Receipt, "id" | "atMs">): Receipt {
    const stored = { ...receipt, id: crypto.randomUUID(), atMs: Date.now() };
    this.#receipts.set(stored.id, stored);
    for (const id of this.#receipts.keys()) {
      if (this.#receipts.size <= MAX_RECEIPTS) break;
      this.#receipts.delete(id);
    }
    return stored;
  }

  /** A receipt is shown to the user it belongs to only. */
  receipt(id: string, user: string): Receipt | null {
    const receipt = this.#receipts.get(id);
    return receipt?.user === user ? receipt : null;
  }

  /** The user's newest receipts first. */
  activity(user: string, limit: number): Receipt[] {
    return [...this.#receipts.values()]
      .filter((receipt) => receipt.user === user)
      .reverse()
      .slice(0, limit);
  }
}
