/**
 * @module
 * The frame of every hosted page: the tenant's name, logo and colour, readable on a phone,
 * usable with a keyboard and a screen reader, and working without JavaScript; in the page's
 * language, written right to left where it is, with a menu of the tenant's other languages.
 */
import type { Context } from "hono";
import { raw } from "hono/html";
import type { Child, FC } from "hono/jsx";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { LANGUAGE_NAMES, textDirection } from "../config/languages";
import type { Policy } from "../config/policy-schema";
import { type ApprovedField, shownField } from "../factors/approved-field";
import { styleNonce } from "../lib/own-response-headers";
import type { PageText } from "./i18n/page-text";

export type Branding = Policy["branding"];

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2328;background:#f6f8fa}
main{max-width:28rem;margin:0 auto;padding:1.5rem 1rem 3rem}
header{display:flex;align-items:center;gap:.75rem;padding:1rem;border-bottom:4px solid var(--brand);background:#fff}
header img{max-height:2rem;max-width:8rem}
h1{font-size:1.35rem;margin:1.25rem 0 .5rem}
.card{background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:1.25rem;margin:1rem 0}
label{display:block;font-weight:600;margin:.75rem 0 .25rem}
input[type=text]{width:100%;font-size:1.4rem;letter-spacing:.2em;padding:.6rem;border:1px solid #8c959f;border-radius:6px}
input:focus,button:focus,a:focus{outline:3px solid var(--brand);outline-offset:2px}
button{display:block;width:100%;margin-top:1rem;padding:.75rem;font-size:1rem;font-weight:600;color:#fff;background:var(--brand);border:0;border-radius:6px;cursor:pointer}
button.secondary{color:var(--brand);background:#fff;border:2px solid var(--brand)}
label.check{font-weight:400;display:flex;gap:.5rem;align-items:center;margin-top:1rem}
.error{color:#a40e26;background:#ffebe9;border:1px solid #ff8182;border-radius:6px;padding:.6rem .8rem}
.muted{color:#57606a;font-size:.9rem}
.approving dl{display:grid;grid-template-columns:auto 1fr;gap:.25rem .75rem;margin:.5rem 0 1rem;padding:.75rem;background:#f6f8fa;border-radius:6px}
.approving dt{font-weight:600}
.approving dd{margin:0;word-break:break-word}
.secret{font-family:ui-monospace,monospace;font-size:1.05rem;word-break:break-all;background:#f6f8fa;padding:.5rem;border-radius:6px}
.qr svg{width:100%;max-width:16rem;height:auto;display:block;margin:0 auto}
ol.codes{font-family:ui-monospace,monospace;font-size:1.1rem;columns:2}
.secret,ol.codes,input{direction:ltr}
nav.languages{margin-inline-start:auto;position:relative;font-size:.9rem}
nav.languages summary{cursor:pointer;padding:.25rem .5rem}
nav.languages ul{position:absolute;inset-inline-end:0;z-index:1;margin:.25rem 0 0;padding:.5rem 0;list-style:none;background:#fff;border:1px solid #d0d7de;border-radius:6px;min-width:12rem}
nav.languages a{display:block;padding:.25rem 1rem;color:inherit}
nav.languages a[aria-current]{font-weight:600}
`;

/**
 * The nonce of the response being rendered, for its inline `<style>`. Pages render synchronously
 * (no async components), so the value set around one render cannot leak into another. Not
 * `createContext` from `hono/jsx`: it brings Hono's DOM renderer into the bundle (+15 KiB).
 */
let renderingNonce = "";

/**
 * `page` as the HTML response, its inline style allowed by the response's Content-Security-Policy.
 * @example
 * return renderPage(c, <SettingsPage branding={policy.branding} … />);
 */
export function renderPage(c: Context, page: Child, status?: ContentfulStatusCode, headers?: Record<string, string>) {
  renderingNonce = styleNonce(c);
  try {
    const html = (page as { toString(): string | Promise<string> }).toString();
    if (typeof html !== "string") throw new Error("hosted pages render synchronously: an async component would lose its nonce");
    return c.html(html, status, headers);
  } finally {
    renderingNonce = "";
  }
}

/** A page's stylesheet (stepgate's own CSS, never user input), carrying the response's nonce. */
export const PageStyle: FC<{ css: string }> = ({ css }) => <style nonce={renderingNonce}>{raw(css)}</style>;

export interface LayoutProps {
  branding: Branding;
  text: PageText;
  title: string;
  /** The page's own rules, after the frame's (stepgate's CSS, never user input). */
  style?: string;
  children?: Child;
}

/**
 * @example
 * <Layout branding={policy.branding} text={text} title={text.t("settings.title")}>…</Layout>
 */
export const Layout: FC<LayoutProps> = ({ branding, text, title, style, children }) => (
  <html lang={text.language} dir={text.dir}>
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <meta name="referrer" content="no-referrer" />
      <title>{`${title} · ${branding.name}`}</title>
      {/* The colour is validated as #rrggbb by the policy schema, so it cannot break out of CSS. */}
      <PageStyle css={`:root{--brand:${branding.color}}${STYLE}${style ?? ""}`} />
    </head>
    <body>
      <header>
        {branding.logoUrl ? <img src={branding.logoUrl} alt="" /> : null}
        <strong>{branding.name}</strong>
        <LanguageMenu text={text} />
      </header>
      <main>
        <h1>{title}</h1>
        {children}
      </main>
    </body>
  </html>
);

/**
 * The tenant's languages, each by its own name, as links to this page in it (`?lang=`, which the
 * language choice keeps in a cookie): a disclosure that opens without JavaScript.
 */
const LanguageMenu: FC<{ text: PageText }> = ({ text }) =>
  text.menu ? (
    <nav class="languages" aria-label={text.t("layout.language")}>
      <details>
        <summary>{LANGUAGE_NAMES[text.language]}</summary>
        <ul>
          {text.menu.map((link) => (
            <li>
              <a
                href={link.href}
                lang={link.language}
                hreflang={link.language}
                dir={textDirection(link.language)}
                aria-current={link.language === text.language ? "true" : undefined}
              >
                {LANGUAGE_NAMES[link.language]}
              </a>
            </li>
          ))}
        </ul>
      </details>
    </nav>
  ) : null;

/**
 * A code, an address, a number or an id inside a sentence, kept left to right on a page written
 * right to left (where the bidi algorithm would otherwise reorder `+1 415…` or `ab12-cd34`).
 * @example
 * text.parts("code.sentTo", { destination: <strong><Ltr text={text}>{where}</Ltr></strong> })
 */
export const Ltr: FC<{ text: PageText; children?: Child }> = ({ text, children }) => (text.dir === "rtl" ? <bdi dir="ltr">{children}</bdi> : children);

/** An error message announced to screen readers. */
export const ErrorNote: FC<{ message: string | null }> = ({ message }) =>
  message ? (
    <p class="error" role="alert">
      {message}
    </p>
  ) : null;

/** The "trust this device" checkbox of a verification form. */
export const TrustThisDevice: FC<{ text: PageText }> = ({ text }) => (
  <label class="check">
    <input type="checkbox" name="trustDevice" value="1" /> {text.t("layout.trustDevice")}
  </label>
);

/**
 * What the user approves: the request's fields the policy shows, labelled and formatted in the
 * page's language as the JSON and the code's text show them (`shownField`), escaped like any
 * JSX text, each value isolated so a right-to-left payee cannot reorder an amount beside it.
 * @example
 * <Approving text={text} approving={[{ field: "amount", value: "10" }]} />
 */
export const Approving: FC<{ text: PageText; approving: readonly ApprovedField[] }> = ({ text, approving }) =>
  approving.length === 0 ? null : (
    <div class="approving">
      <p>{text.t("layout.approving")}</p>
      <dl id="approving">
        {approving
          .map((item) => shownField(item, text.language))
          .map(({ label, shown }) => (
            <>
              <dt>{label}</dt>
              <dd>{text.dir === "rtl" ? <bdi>{shown}</bdi> : shown}</dd>
            </>
          ))}
      </dl>
    </div>
  );
