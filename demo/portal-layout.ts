/**
 * @module
 * The demo portal's frame: one stylesheet inline (no external assets), a header with the
 * navigation (the portal's pages and stepgate's own, for the user's security), and the favicon.
 * Readable at 390 px and at 1280 px, usable with a keyboard and a screen reader.
 */
import { html, raw } from "hono/html";

export type Markup = ReturnType<typeof html>;

export const BRAND = "Demo Brokerage";
/** The brand colour; the demo tenant's hosted pages use it too (`branding.color`). */
export const BRAND_COLOR = "#0a58ca";

/** A rising line on the navy of the header: the favicon and the header's logo. */
export const LOGO_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#0b1f33"/>' +
  '<path d="M7 22l6-6 4 4 8-9" fill="none" stroke="#5cc8ff" stroke-width="3" stroke-linecap="round" stroke-linejoin="round"/></svg>';
/** Where the portal serves the logo: the demo tenant's `branding.logoUrl` points here. */
export const LOGO_PATH = "/logo.svg";
const FAVICON_URL = `data:image/svg+xml,${encodeURIComponent(LOGO_SVG)}`;

/**
 * The portal's pages, then stepgate's own for the user's second factor: its settings page
 * (src/pages/settings-routes.tsx) and its enrolment page (src/pages/hosted-pages.tsx).
 */
const NAVIGATION = [
  ["/", "Overview"],
  ["/wallet", "Wallet"],
  ["/wallet/deposit", "Deposit"],
  ["/wallet/withdraw", "Withdraw"],
  ["/wallet/transfer", "Transfer"],
  ["/account", "Account"],
  ["/__stepgate/settings", "Security"],
  ["/__stepgate/enroll", "Set up 2FA"],
] as const;

const STYLE = `
:root{--ink:#17212b;--muted:#4d5b69;--line:#d3dae1;--bg:#f3f5f7;--brand:${BRAND_COLOR};--navy:#0b1f33;--good:#146c43;--bad:#a4262c}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:var(--bg)}
a{color:var(--brand)}
:focus-visible{outline:3px solid var(--brand);outline-offset:2px}
.top :focus-visible{outline-color:#ffbf47}
.skip{position:absolute;left:-999px;top:.5rem;background:#fff;color:var(--ink);padding:.5rem 1rem;border-radius:6px;z-index:1}
.skip:focus{left:1rem}
.bar,.nav ul,main,footer{max-width:64rem;margin:0 auto;padding-left:1rem;padding-right:1rem}
.top{background:var(--navy);color:#fff}
.bar{display:flex;flex-wrap:wrap;align-items:center;justify-content:space-between;gap:.5rem 1rem;padding-top:.75rem;padding-bottom:.75rem}
.brand{display:flex;align-items:center;gap:.6rem;color:#fff;font-weight:700;font-size:1.15rem;text-decoration:none}
.brand svg{width:30px;height:30px;display:block}
.user{display:flex;align-items:center;gap:.75rem;font-size:.9rem}
.user form{margin:0}
.user button,.top .signin{background:transparent;border:1px solid #8fa3b8;color:#fff;padding:.35rem .8rem;border-radius:6px;font:inherit;cursor:pointer;text-decoration:none}
.nav{background:#13304d}
.nav ul{display:flex;flex-wrap:wrap;gap:.25rem;list-style:none;padding-top:.35rem;padding-bottom:.35rem}
.nav a{display:block;color:#e6eef6;text-decoration:none;padding:.35rem .65rem;border-radius:6px;font-size:.95rem}
.nav a:hover{background:#1e4570}
.nav a[aria-current=page]{background:#fff;color:var(--navy);font-weight:600}
main{padding-top:1.5rem;padding-bottom:2.5rem}
h1{font-size:1.6rem;line-height:1.25;margin:0 0 1rem}
h2{font-size:1.15rem;line-height:1.3;margin:0 0 .75rem}
p{margin:0 0 .75rem}
.grid{display:grid;gap:1rem;grid-template-columns:repeat(auto-fit,minmax(17rem,1fr));margin-bottom:1rem}
.card{background:#fff;border:1px solid var(--line);border-radius:10px;padding:1.25rem;margin-bottom:1rem}
.grid .card{margin-bottom:0}
.balance{font-size:2rem;font-weight:700;font-variant-numeric:tabular-nums;margin:0 0 .25rem}
.actions{display:flex;flex-wrap:wrap;gap:.5rem;margin-top:1rem}
h2+.actions{margin-top:0}
.button,button[type=submit]{display:inline-block;background:var(--brand);color:#fff;border:1px solid var(--brand);border-radius:8px;padding:.6rem 1.1rem;font:inherit;font-weight:600;text-decoration:none;cursor:pointer}
.button.secondary{background:#fff;color:var(--brand)}
.narrow{max-width:34rem}
.field{margin-bottom:1rem}
label{display:block;font-weight:600;margin-bottom:.3rem}
input,select{width:100%;font:inherit;padding:.55rem .7rem;border:1px solid #6e7b88;border-radius:8px;background:#fff;color:var(--ink)}
[aria-invalid=true]{border-color:var(--bad);border-width:2px}
.error{color:var(--bad);background:#fdecec;border:1px solid #e8a5a8;border-radius:8px;padding:.6rem .8rem}
.muted{color:var(--muted)}
.hint{color:var(--muted);font-size:.9rem;margin-top:.3rem}
table{width:100%;border-collapse:collapse;font-variant-numeric:tabular-nums}
th,td{text-align:left;padding:.55rem .4rem;border-bottom:1px solid var(--line);vertical-align:top}
th{font-size:.85rem;color:var(--muted);font-weight:600}
.num{text-align:right;white-space:nowrap}
.in{color:var(--good)}
.out{color:var(--bad)}
dl.summary{display:grid;grid-template-columns:max-content 1fr;gap:.4rem 1rem;margin:0}
dl.summary dt{color:var(--muted)}
dl.summary dd{margin:0;overflow-wrap:anywhere}
pre{background:#0f1b27;color:#e6edf3;padding:1rem;border-radius:8px;overflow-x:auto;font-size:.9rem;margin:0}
footer{color:var(--muted);font-size:.85rem;padding-bottom:2rem}
@media (max-width:30rem){h1{font-size:1.35rem}.balance{font-size:1.6rem}.wide{display:none}.nav a{padding:.3rem .5rem;font-size:.9rem}}
`;

export interface PageOptions {
  title: string;
  /** The signed-in user, or null: the navigation is for signed-in users. */
  user: string | null;
  /** The path of the page, marked as current in the navigation. */
  path: string;
  body: Markup;
  /** Scripts the page loads (same-origin paths), at the end of the body. */
  scripts?: readonly string[];
}

/**
 * A whole page.
 * @example
 * c.html(page({ title: "Wallet", user: "alice", path: "/wallet", body: html`…` }))
 */
export function page({ title, user, path, body, scripts = [] }: PageOptions): Markup {
  return html`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${title} · ${BRAND}</title>
    <link rel="icon" type="image/svg+xml" href="${FAVICON_URL}" />
    <style>${raw(STYLE)}</style>
  </head>
  <body>
    <a class="skip" href="#main">Skip to content</a>
    <header class="top">
      <div class="bar">
        <a class="brand" href="/">${raw(LOGO_SVG.replace("<svg ", '<svg aria-hidden="true" focusable="false" '))}${BRAND}</a>
        ${
          user
            ? html`<div class="user"><span class="wide">${user}</span><form method="post" action="/logout"><button>Sign out</button></form></div>`
            : path === "/login"
              ? ""
              : html`<a class="signin" href="/login">Sign in</a>`
        }
      </div>
      ${user ? navigation(path) : ""}
    </header>
    <main id="main">
      <h1>${title}</h1>
      ${body}
    </main>
    <footer><p>${BRAND} is the demo portal behind stepgate: not a real brokerage, and every form shows what the portal received.</p></footer>
    ${scripts.map((src) => html`<script src="${src}"></script>`)}
  </body>
</html>`;
}

function navigation(current: string): Markup {
  return html`<nav class="nav" aria-label="Main"><ul>${NAVIGATION.map(
    ([href, label]) => html`<li><a href="${href}"${current === href ? raw(' aria-current="page"') : ""}>${label}</a></li>`,
  )}</ul></nav>`;
}
