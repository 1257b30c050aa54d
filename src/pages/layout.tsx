/**
 * @module
 * The frame of every hosted page: the tenant's name, logo and colour, light or dark, readable on a phone,
 * usable with a keyboard and a screen reader, and working without JavaScript (where a few lines
 * of stepgate's own script help, they run by the response's nonce); in the page's
 * language, written right to left where it is, with a menu of the tenant's other languages.
 */
import type { Context } from "hono";
import { raw } from "hono/html";
import type { Child, FC } from "hono/jsx";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { LANGUAGE_NAMES, textDirection } from "../config/languages";
import type { Policy } from "../config/policy-schema";
import { type ApprovedField, shownField } from "../factors/approved-field";
import { allowPageScript, styleNonce } from "../lib/own-response-headers";
import { type Embedding, pageEmbedding } from "./embedding";
import { FAVICON_PATH } from "./favicon";
import type { PageText } from "./i18n/page-text";
import { PAGE_SCRIPTS, type PageScriptName } from "./page-scripts";
import { colorSchemeMeta, themeCss } from "./theme";

export type Branding = Policy["branding"];

/** The pages' stylesheet: colours only through the custom properties of `theme.ts`. */
const STYLE = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--text);background:var(--bg)}
main{max-width:28rem;margin:0 auto;padding:1.5rem 1rem 3rem}
header{display:flex;align-items:center;gap:.75rem;padding:1rem;border-bottom:4px solid var(--brand);background:var(--surface)}
header img{max-height:2rem;max-width:8rem}
h1{font-size:1.35rem;margin:1.25rem 0 .5rem}
a{color:var(--accent)}
.card{background:var(--surface);border:1px solid var(--border);border-radius:8px;padding:1.25rem;margin:1rem 0}
label{display:block;font-weight:600;margin:.75rem 0 .25rem}
input[type=text],input[type=tel],input[type=email],input[type=password]{width:100%;font:inherit;padding:.6rem;color:var(--text);background:var(--field);border:1px solid var(--field-border);border-radius:6px}
input[autocomplete=one-time-code]{font-size:1.4rem;letter-spacing:.2em}
::placeholder{color:var(--muted);opacity:1}
input[type=checkbox]{accent-color:var(--ring)}
:focus-visible{outline:3px solid var(--ring);outline-offset:2px}
button,a.button{display:block;width:100%;margin-top:1rem;padding:.75rem;font:inherit;font-weight:600;color:var(--on-brand);background:var(--brand);border:0;border-radius:6px;cursor:pointer}
a.button{text-align:center;text-decoration:none}
button.secondary,a.button.secondary{color:var(--accent);background:var(--surface);border:2px solid var(--accent)}
button:disabled{opacity:.6;cursor:not-allowed}
[hidden]{display:none!important}
label.check{font-weight:400;display:flex;gap:.5rem;align-items:center;margin-top:1rem}
.error{color:var(--error-text);background:var(--error-bg);border:1px solid var(--error-border);border-radius:6px;padding:.6rem .8rem}
.muted{color:var(--muted);font-size:.9rem}
.approving dl{display:grid;grid-template-columns:auto 1fr;gap:.25rem .75rem;margin:.5rem 0 1rem;padding:.75rem;background:var(--subtle);border-radius:6px}
.approving dt{font-weight:600}
.approving dd{margin:0;word-break:break-word}
.secret{font-family:ui-monospace,monospace;font-size:1.05rem;word-break:break-all;background:var(--subtle);padding:.5rem;border-radius:6px}
.qr{max-width:18rem;margin:0 auto;padding:1.25rem;background:#fff;border-radius:8px}
.qr svg{width:100%;height:auto;display:block}
ol.codes{font-family:ui-monospace,monospace;font-size:1.05rem;list-style:none;padding:0;display:grid;gap:.5rem;grid-template-columns:repeat(auto-fill,minmax(min(100%,14ch),1fr))}
ol.codes li{padding:.35rem .5rem;text-align:center;background:var(--subtle);border:1px solid var(--border);border-radius:6px}
.secret,ol.codes,input{direction:ltr}
ul.choices{list-style:none;margin:0;padding:0}
a.choice{display:block;color:inherit;text-decoration:none}
a.choice strong{display:block;color:var(--accent);text-decoration:underline}
a.choice .muted{display:block;margin-top:.25rem}
a.choice:hover{border-color:var(--accent)}
ul.ways{padding:0;list-style:none}
ul.ways li{margin:.5rem 0}
p.code{color:var(--muted)}
nav.languages{margin-inline-start:auto;position:relative;font-size:.9rem}
nav.languages summary{cursor:pointer;padding:.25rem .5rem}
nav.languages ul{position:absolute;inset-inline-end:0;z-index:1;margin:.25rem 0 0;padding:.5rem 0;list-style:none;background:var(--surface);border:1px solid var(--border);border-radius:6px;min-width:12rem}
nav.languages a{display:block;padding:.25rem 1rem;color:inherit}
nav.languages a[aria-current]{font-weight:600}
section.card h2{font-size:1.1rem;margin:0 0 .75rem}
ul.rows,ul.log{list-style:none;margin:0;padding:0}
ul.rows li,ul.log li{padding:.5rem 0;border-top:1px solid var(--border)}
ul.rows li:first-child,ul.log li:first-child{border-top:0}
ul.rows li{display:flex;flex-wrap:wrap;align-items:center;justify-content:space-between;gap:.5rem}
.actions{display:flex;flex-wrap:wrap;gap:.5rem}
.actions form,ul.rows form{margin:0}
button.compact{display:inline-block;width:auto;margin:0;padding:.35rem .8rem;font-size:.9rem}
`;

/**
 * The nonce of the response being rendered, for its inline `<style>`. Pages render synchronously
 * (no async components), so the value set around one render cannot leak into another. Not
 * `createContext` from `hono/jsx`: it brings Hono's DOM renderer into the bundle (+15 KiB).
 */
let renderingNonce = "";
/** Whether the page being rendered has a `PageScript`: only then may its response run one. */
let renderingScript = false;
/** How the page being rendered is shown by the SPA client, if it is (see `embedding.ts`). */
let renderingEmbedding: Embedding | null = null;

/**
 * `page` as the HTML response, its inline style allowed by the response's Content-Security-Policy.
 * @example
 * return renderPage(c, <SettingsPage branding={policy.branding} … />);
 */
export function renderPage(c: Context, page: Child, status?: ContentfulStatusCode, headers?: Record<string, string>) {
  renderingNonce = styleNonce(c);
  renderingScript = false;
  renderingEmbedding = pageEmbedding(c);
  try {
    const html = (page as { toString(): string | Promise<string> }).toString();
    if (typeof html !== "string") throw new Error("hosted pages render synchronously: an async component would lose its nonce");
    if (renderingScript) allowPageScript(c);
    return c.html(html, status, headers);
  } finally {
    renderingNonce = "";
    renderingScript = false;
    renderingEmbedding = null;
  }
}

/** A page's stylesheet (stepgate's own CSS, never user input), carrying the response's nonce. */
export const PageStyle: FC<{ css: string }> = ({ css }) => <style nonce={renderingNonce}>{raw(css)}</style>;

/**
 * The `<head>` every page shares: the scheme and colours of `branding.mode` and `branding.color`,
 * and the tab's icon: the tenant's logo, else stepgate's own (never the host's `/favicon.ico`,
 * which the portal may not have: a 404 logged on every page).
 * @example
 * <PageHead branding={policy.branding} title="Set up two-factor verification · Acme" />
 */
export const PageHead: FC<{ branding: Pick<Branding, "color" | "mode" | "logoUrl">; title: string; css?: string }> = ({ branding, title, css }) => (
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="referrer" content="no-referrer" />
    <meta name="color-scheme" content={colorSchemeMeta(branding.mode)} />
    <title>{title}</title>
    <link rel="icon" href={branding.logoUrl ?? FAVICON_PATH} />
    <PageStyle css={`${themeCss(branding)}${STYLE}${css ?? ""}`} />
  </head>
);

/** The tenant's logo and name, and the language menu. */
export const PageHeader: FC<{ branding: Branding; text: PageText }> = ({ branding, text }) => (
  <header>
    {branding.logoUrl ? <img src={branding.logoUrl} alt="" /> : null}
    <strong>{branding.name}</strong>
    <LanguageMenu text={text} />
  </header>
);

/**
 * One of stepgate's page scripts, by name (its text is a constant, never input), carrying the
 * response's nonce; the response's policy then lets it run (`allowPageScript`). Put it after
 * the elements it acts on.
 * @example
 * <PageScript name="countdown" />
 */
export const PageScript: FC<{ name: PageScriptName }> = ({ name }) => {
  renderingScript = true;
  return <script nonce={renderingNonce}>{raw(PAGE_SCRIPTS[name])}</script>;
};

export interface LayoutProps {
  branding: Branding;
  text: PageText;
  title: string;
  /** The page's own rules, after the frame's (stepgate's CSS, never input). */
  css?: string;
  children?: Child;
}

/**
 * @example
 * <Layout branding={policy.branding} text={text} title={text.t("settings.title")}>…</Layout>
 */
export const Layout: FC<LayoutProps> = ({ branding, text, title, css, children }) => (
  <html lang={text.language} dir={text.dir}>
    <PageHead branding={branding} title={`${title} · ${branding.name}`} css={css} />
    <body>
      <PageHeader branding={branding} text={text} />
      {/* Named, as a page framed in the portal's own page (the SPA client's dialog) has two mains. */}
      <main aria-label={title}>
        <h1>{title}</h1>
        {children}
        <EmbeddedEnd text={text} />
      </main>
    </body>
  </html>
);

/**
 * On a page the SPA client shows: a way to give up that hands the portal's page back. In its
 * dialog or popup, a Cancel button (shown by the script, which needs it to tell the client) and
 * Escape; after a redirect, a link back to the page the user left. The `embed` script also tells
 * the client when the page shows a lockout (`[data-locked-for]`) or the end (`[data-embed-finished]`).
 */
export const EmbeddedEnd: FC<{ text: PageText }> = ({ text }) => {
  const embedding = renderingEmbedding;
  if (!embedding) return null;
  if (embedding.mode === "redirect") {
    return (
      <p>
        <a href={embedding.returnTo ?? "/"}>{text.t("embed.cancel")}</a>
      </p>
    );
  }
  return (
    <div id="stepgate-embed" data-mode={embedding.mode} data-challenge={embedding.challengeId}>
      <button type="button" class="secondary" id="embed-cancel" hidden>
        {text.t("embed.cancel")}
      </button>
      <PageScript name="embed" />
    </div>
  );
};

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
