/**
 * @module
 * The demo portal: a tiny brokerage client portal that stands in for a tenant's origin in
 * `npm run dev` and in the tests. It has its own session (an HS256 JWT in `portal_session`),
 * pages and forms for the money operations and account changes, and JSON twins under `/api/`.
 * Every operation answers with exactly what it received, so a replayed request can be checked.
 */
import { Hono, type Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { html } from "hono/html";
import { sign, verify } from "hono/jwt";

export interface DemoPortalOptions {
  /** HS256 secret for `portal_session`; the tenant policy names the same secret. */
  jwtSecret: string;
}

const SESSION_COOKIE = "portal_session";
const SESSION_SECONDS = 8 * 60 * 60;
const FORM_OPERATIONS = {
  "/wallet/deposit": "deposit",
  "/wallet/withdraw": "withdraw",
  "/wallet/transfer": "transfer",
  "/account/password": "change_password",
  "/account/email": "update_email",
} as const;
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
  const sessionOf = async (c: Context) => {
    const token = getCookie(c, SESSION_COOKIE);
    if (!token) return null;
    try {
      return (await verify(token, options.jwtSecret, "HS256")) as { sub: string; sid: string };
    } catch {
      return null;
    }
  };

  app.get("/", async (c) => {
    const session = await sessionOf(c);
    return c.html(
      page(
        "Demo portal",
        session
          ? html`<p>Signed in as <strong>${session.sub}</strong>.</p>
              <ul><li><a href="/wallet">Wallet</a>: deposit, withdraw, transfer</li><li><a href="/account">Account</a>: password, email</li></ul>
              <form method="post" action="/logout"><button>Sign out</button></form>`
          : html`<p>You are not signed in.</p><p><a href="/login">Sign in</a></p>`,
      ),
    );
  });

  app.get("/login", (c) =>
    c.html(
      page(
        "Sign in",
        html`<form method="post" action="/login">
          <label>Username <input name="username" autocomplete="username" required /></label>
          <label>Password <input name="password" type="password" autocomplete="current-password" /></label>
          <button>Sign in</button>
        </form>
        <p>Any password works: this is a demo.</p>`,
      ),
    ),
  );

  app.post("/login", async (c) => {
    const form = await c.req.parseBody();
    const username = String(form.username ?? "").trim();
    if (!username) return c.html(page("Sign in", html`<p>Enter a username. <a href="/login">Back</a></p>`), 400);
    const now = Math.floor(Date.now() / 1000);
    const token = await sign(
      { sub: username, sid: crypto.randomUUID(), email: `${username}@demo.test`, iat: now, exp: now + SESSION_SECONDS },
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

  app.get("/wallet", (c) =>
    c.html(
      page(
        "Wallet",
        html`${operationForm("/wallet/deposit", "Deposit", html`<label>Amount <input name="amount" value="100" /></label><label>Currency <input name="currency" value="USD" /></label>`)}
        ${operationForm("/wallet/withdraw", "Withdraw", html`<label>Amount <input name="amount" value="50" /></label><label>Currency <input name="currency" value="USD" /></label><label>Destination <input name="destination" value="IBAN DE89 3704 0044 0532 0130 00" /></label>`)}
        ${operationForm("/wallet/transfer", "Transfer", html`<label>Amount <input name="amount" value="25" /></label><label>To account <input name="to" value="ACC-2002" /></label>`)}`,
      ),
    ),
  );

  app.get("/account", (c) =>
    c.html(
      page(
        "Account",
        html`${operationForm("/account/password", "Change password", html`<label>New password <input name="password" type="password" /></label>`)}
        ${operationForm("/account/email", "Update email", html`<label>New email <input name="email" type="email" value="new@demo.test" /></label>`)}`,
      ),
    ),
  );

  for (const [path, operation] of Object.entries(FORM_OPERATIONS)) {
    app.post(path, async (c) => {
      const session = await sessionOf(c);
      if (!session) return c.redirect("/login", 303);
      const received = await c.req.parseBody();
      return c.html(
        page(
          `${operation} received`,
          html`<p>The portal received this <strong>${operation}</strong> for ${session.sub}:</p>
            <pre id="received">${JSON.stringify(received, null, 2)}</pre><p><a href="/">Home</a></p>`,
        ),
      );
    });
  }

  for (const [name, operation] of Object.entries(API_OPERATIONS)) {
    app.post(`/api/${name}`, async (c) => {
      const session = await sessionOf(c);
      if (!session) return c.json({ error: "not signed in" }, 401);
      const text = await c.req.text();
      let received: unknown = text;
      try {
        received = JSON.parse(text);
      } catch {
        // Not JSON: echo the text as it arrived.
      }
      return c.json({ operation, user: session.sub, received });
    });
  }

  return app;
}

function operationForm(action: string, label: string, fields: ReturnType<typeof html>) {
  return html`<form method="post" action="${action}"><fieldset><legend>${label}</legend>${fields}<button>${label}</button></fieldset></form>`;
}

function page(title: string, body: ReturnType<typeof html>) {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} · Demo portal</title>
        <style>
          body { font: 16px/1.5 system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem; }
          label { display: block; margin: 0.3rem 0; }
          fieldset { margin: 1rem 0; }
        </style>
      </head>
      <body>
        <header><a href="/">Demo portal</a></header>
        <main><h1>${title}</h1>${body}</main>
      </body>
    </html>`;
}
