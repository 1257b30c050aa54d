/**
 * @module
 * The demo portal: a small brokerage client portal that stands in for a tenant's origin in
 * `npm run dev` and in the tests. It has its own session (an HS256 JWT in `portal_session`),
 * a wallet with pages to deposit, withdraw and transfer, an account page, and JSON twins under
 * `/api/`. A form that goes through answers 303 to its receipt (POST-redirect-GET), which shows
 * exactly what the portal received, so a replayed request can be checked; the JSON twins
 * answer with what they received, and a money twin sent the whole form (the overview's Quick
 * transfer, through stepgate's SPA client) also moves the money and answers with its receipt.
 * Behind stepgate it checks the assurance stepgate sends (`assurance.ts`): withdrawals, transfers
 * and password changes without a valid one for the request received are refused, and every
 * receipt says how the user confirmed it.
 */
import { Hono, type Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { sign, verify } from "hono/jwt";
import { type AssuranceSettings, checkAssurance, confirmedWith, signInAssurance } from "./assurance";
import { formatMoney, Ledger, parseAmountCents, type Currency } from "./ledger";
import { ACCOUNT_FORMS, formError, MONEY_FORMS, type FormError, type OperationForm } from "./portal-forms";
import { LOGO_PATH, LOGO_SVG, page } from "./portal-layout";
import { QUICK_TRANSFER_SCRIPT, QUICK_TRANSFER_SCRIPT_PATH, STEPGATE_CLIENT_PATH } from "./quick-transfer";
import { DEMO_ADMIN, DEMO_ADMIN_GROUP, DEMO_SUPPORT, DEMO_SUPPORT_GROUP } from "./tenant";
import { account, formOf, loginForm, missingReceipt, moneyPage, overview, receiptPage, refusedPage, signedOutHome, wallet } from "./portal-pages";

export interface DemoPortalOptions {
  /** HS256 secret for `portal_session`; the tenant policy names the same secret. */
  jwtSecret: string;
  /**
   * How to check stepgate's assurance (`npm run dev` gives it stepgate's key set). Without it the
   * portal checks none: the workerd tests run it where the worker has no address to fetch keys from.
   */
  assurance?: AssuranceSettings;
}

/** The operations the portal refuses without a valid assurance for the request received: money out and the password. */
const ASSURED_OPERATIONS: ReadonlySet<string> = new Set(["withdraw", "transfer", "change_password"]);

const SESSION_COOKIE = "portal_session";
const SESSION_SECONDS = 8 * 60 * 60;
const FAVICON_CACHE_SECONDS = 24 * 60 * 60;
const RECENT_ACTIVITY = 5;
const WALLET_ACTIVITY = 20;
const API_OPERATIONS = {
  deposit: "deposit",
  withdraw: "withdraw",
  transfer: "transfer",
  password: "change_password",
  email: "update_email",
  "fees/prop-challenge": "prop_challenge_fee",
  "fees/trading-competition": "trading_competition_fee",
} as const;

/**
 * Builds the demo portal app.
 * @example
 * serve({ fetch: createDemoPortal({ jwtSecret }).fetch, port: 8788 });
 */
export function createDemoPortal(options: DemoPortalOptions): Hono {
  const app = new Hono();
  const ledger = new Ledger();
  const settings = options.assurance;
  /**
   * The assurance of an operation's request, in words for its receipt; a refusal (403) for one the
   * portal requires it of, when it is missing or not for this request. `null`: nothing to show.
   */
  const assured = async (c: Context, operation: string, user: string): Promise<{ confirmed: string | null } | { refused: string }> => {
    if (!settings) return { confirmed: null };
    const check = await checkAssurance(c.req.raw, settings, { operation, user });
    if (check.ok) return { confirmed: confirmedWith(check.assurance) };
    return ASSURED_OPERATIONS.has(operation) ? { refused: check.reason } : { confirmed: null };
  };
  const userOf = async (c: Context): Promise<string | null> => {
    const token = getCookie(c, SESSION_COOKIE);
    if (!token) return null;
    try {
      return ((await verify(token, options.jwtSecret, "HS256")) as { sub: string }).sub;
    } catch {
      // A stale or foreign cookie is no session: the visitor is signed out.
      return null;
    }
  };

  // The logo as the browser's default icon, and by its own name for the demo tenant's hosted pages (`branding.logoUrl`).
  const logo = (c: Context) => c.body(LOGO_SVG, 200, { "Content-Type": "image/svg+xml", "Cache-Control": `public, max-age=${FAVICON_CACHE_SECONDS}` });
  app.get("/favicon.ico", logo);
  app.get(LOGO_PATH, logo);
  app.get(QUICK_TRANSFER_SCRIPT_PATH, (c) => c.body(QUICK_TRANSFER_SCRIPT, 200, { "Content-Type": "text/javascript; charset=utf-8" }));

  app.get("/", async (c) => {
    const user = await userOf(c);
    if (!user) return c.html(page({ title: "Welcome", user, path: "/", body: signedOutHome() }));
    const signIn = settings ? await signInAssurance(c.req.raw, settings, user) : null;
    const body = overview(user, ledger.balances(user), ledger.activity(user, RECENT_ACTIVITY), signIn ? confirmedWith(signIn) : null);
    return c.html(page({ title: "Overview", user, path: "/", body, scripts: [STEPGATE_CLIENT_PATH, QUICK_TRANSFER_SCRIPT_PATH] }));
  });

  app.get("/login", async (c) => c.html(page({ title: "Sign in", user: await userOf(c), path: "/login", body: loginForm(null) })));

  app.post("/login", async (c) => {
    const form = await c.req.parseBody();
    const username = String(form.username ?? "").trim();
    if (!username) return c.html(page({ title: "Sign in", user: null, path: "/login", body: loginForm("Enter a username.") }), 400);
    const now = Math.floor(Date.now() / 1000);
    // `admin` is the demo's security administrator (its group opens the whole admin console), `support`
    // its support desk (users, activity, the settings read-only): demo/tenant.ts maps the groups.
    const groups = username === DEMO_ADMIN ? [DEMO_ADMIN_GROUP] : username === DEMO_SUPPORT ? [DEMO_SUPPORT_GROUP] : [];
    const token = await sign(
      { sub: username, sid: crypto.randomUUID(), email: `${username}@demo.test`, groups, iat: now, exp: now + SESSION_SECONDS },
      options.jwtSecret,
      "HS256",
    );
    setCookie(c, SESSION_COOKIE, token, { path: "/", httpOnly: true, sameSite: "Lax", maxAge: SESSION_SECONDS });
    return c.redirect("/", 303);
  });

  app.post("/logout", (c) => {
    deleteCookie(c, SESSION_COOKIE, { path: "/" });
    return c.redirect("/", 303);
  });

  app.get("/wallet", async (c) => {
    const user = await userOf(c);
    if (!user) return c.redirect("/login", 303);
    return c.html(page({ title: "Wallet", user, path: "/wallet", body: wallet(ledger.balances(user), ledger.activity(user, WALLET_ACTIVITY)) }));
  });

  app.get("/account", async (c) => {
    const user = await userOf(c);
    if (!user) return c.redirect("/login", 303);
    return c.html(page({ title: "Account", user, path: "/account", body: account(user, null, null) }));
  });

  /** The form again, with what was sent and why the portal refused it (422). */
  const refused = (c: Context, form: OperationForm, user: string, values: Record<string, unknown>, error: FormError) =>
    form.money
      ? c.html(page({ title: form.title, user, path: form.path, body: moneyPage(form, ledger.balances(user), values, error) }), 422)
      : c.html(page({ title: "Account", user, path: "/account", body: account(user, values, { operation: form.operation, error }) }), 422);

  for (const form of [...MONEY_FORMS, ...ACCOUNT_FORMS]) {
    if (form.money) {
      app.get(form.path, async (c) => {
        const user = await userOf(c);
        if (!user) return c.redirect("/login", 303);
        return c.html(page({ title: form.title, user, path: form.path, body: moneyPage(form, ledger.balances(user), null, null) }));
      });
    }
    app.post(form.path, async (c) => {
      const user = await userOf(c);
      if (!user) return c.redirect("/login", 303);
      const assurance = await assured(c, form.operation, user);
      if ("refused" in assurance) return c.html(page({ title: "Refused by the portal", user, path: "", body: refusedPage(form, assurance.refused) }), 403);
      const received = await c.req.parseBody();
      const error = formError(form, received);
      if (error) return refused(c, form, user, received, error);
      let money: { currency: Currency; changeCents: number; balanceAfterCents: number } | undefined;
      if (form.money) {
        // formError checked both: a positive amount, a currency the ledger holds.
        const currency = String(received.currency) as Currency;
        const moved = ledger.move(user, form.money, parseAmountCents(String(received.amount))!, currency);
        if (!moved.ok) return refused(c, form, user, received, { field: "amount", message: moved.error });
        money = { currency, changeCents: moved.changeCents, balanceAfterCents: moved.balanceAfterCents };
      }
      const receipt = ledger.record({ user, operation: form.operation, received, money, confirmed: assurance.confirmed });
      // POST-redirect-GET: reloading the receipt never sends the form again.
      return c.redirect(`/receipts/${receipt.id}`, 303);
    });
  }

  app.get("/receipts/:id", async (c) => {
    const user = await userOf(c);
    if (!user) return c.redirect("/login", 303);
    const receipt = ledger.receipt(c.req.param("id"), user);
    if (!receipt) return c.html(page({ title: "Receipt not found", user, path: "", body: missingReceipt() }), 404);
    const title = formOf(receipt.operation)?.done ?? "Received";
    return c.html(page({ title, user, path: "", body: receiptPage(receipt) }));
  });

  for (const [name, operation] of Object.entries(API_OPERATIONS)) {
    app.post(`/api/${name}`, async (c) => {
      const user = await userOf(c);
      if (!user) return c.json({ error: "not signed in" }, 401);
      const assurance = await assured(c, operation, user);
      if ("refused" in assurance) return c.json({ error: "assurance_refused", detail: assurance.refused }, 403);
      const { confirmed } = assurance;
      const text = await c.req.text();
      let received: unknown = text;
      try {
        received = JSON.parse(text);
      } catch {
        // Not JSON: echo the text as it arrived.
      }
      // A money twin sent the whole form (the overview's Quick transfer does) moves the money, as the form would.
      const form = MONEY_FORMS.find((money) => money.operation === operation);
      if (!form?.money || typeof received !== "object" || received === null || formError(form, received as Record<string, unknown>)) {
        return c.json({ operation, user, received, ...(confirmed ? { confirmed } : {}) });
      }
      const fields = received as Record<string, unknown>;
      const currency = String(fields.currency) as Currency;
      const moved = ledger.move(user, form.money, parseAmountCents(String(fields.amount))!, currency);
      if (!moved.ok) return c.json({ operation, user, received, error: moved.error, field: "amount" }, 422);
      const money = { currency, changeCents: moved.changeCents, balanceAfterCents: moved.balanceAfterCents };
      const receipt = ledger.record({ user, operation, received: fields, money, confirmed });
      return c.json({
        operation,
        user,
        received,
        ...(confirmed ? { confirmed } : {}),
        receipt: {
          id: receipt.id,
          reference: receipt.id.slice(0, 8).toUpperCase(),
          amount: formatMoney(moved.changeCents, currency),
          balanceAfter: formatMoney(moved.balanceAfterCents, currency),
        },
      });
    });
  }

  return app;
}
