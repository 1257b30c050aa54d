/**
 * @module
 * The page a browser sees instead of a problem+json body: same status, in the tenant's look,
 * plain words in the visitor's language, the problem's code for whoever they ask for help, and always a way on:
 * signing in to the portal (when that is what is missing) or going to it, back to the page
 * the visitor came from on this site, and trying a page again that failed on stepgate's or the
 * portal's side.
 */
import type { FC } from "hono/jsx";
import { PolicySchema } from "../config/policy-schema";
import { sameHostPath } from "../lib/return-to";
import type { PageText } from "./i18n/page-text";
import { type Branding, EmbeddedEnd, PageHead, PageHeader } from "./layout";

/** The look of an error page no tenant's policy applies to (an unknown host): the defaults. */
const UNBRANDED: Pick<Branding, "color" | "mode"> = PolicySchema.shape.branding.parse(undefined);

/** Where the visitor can go from the error: each link is shown when known. */
export interface WaysOn {
  /** The portal: its name and home page (`branding.portalUrl`, else this host's `/`); unknown for an unknown host. */
  portal?: { name: string; href: string };
  /** Whether what is missing is a portal session: the portal link then reads "Sign in". */
  signIn?: boolean;
  /** The same-site page the visitor came from. */
  back?: string;
  /** This page again: a page (`GET`) that failed on the server's side (5xx), which may work in a moment. */
  retry?: string;
}

export interface ErrorPageProps {
  /** The tenant's branding, or null when the host is no tenant's. */
  branding: Branding | null;
  text: PageText;
  status: number;
  /** The problem's stable code (`origin_unreachable`), shown as it is. */
  code: string;
  title: string;
  detail: string;
  ways: WaysOn;
}

/**
 * In the tenant's look (its name and logo, colour, light or dark) when the host is a tenant's.
 * @example
 * renderPage(c, <ErrorPage branding={policy.branding} text={text} status={502} code="origin_unreachable" title={…} detail={…} ways={{ portal: { name: "Acme", href: "/" } }} />, 502)
 */
export const ErrorPage: FC<ErrorPageProps> = ({ branding, text, status, code, title, detail, ways }) => (
  <html lang={text.language} dir={text.dir}>
    <PageHead branding={branding ?? UNBRANDED} title={`${status} ${title}`} />
    <body>
      {branding ? <PageHeader branding={branding} text={text} /> : null}
      <main aria-label={title}>
        <h1>{title}</h1>
        <div class="card">
          <p>{detail}</p>
          {ways.portal || ways.back || ways.retry ? (
            <ul class="ways">
              {ways.portal ? (
                <li>
                  <a href={ways.portal.href}>{text.t(ways.signIn ? "error.signInTo" : "error.toPortal", { portal: ways.portal.name })}</a>
                </li>
              ) : null}
              {ways.back ? (
                <li>
                  <a href={ways.back}>{text.t("error.back")}</a>
                </li>
              ) : null}
              {ways.retry ? (
                <li>
                  <a href={ways.retry}>{text.t("error.retry")}</a>
                </li>
              ) : null}
            </ul>
          ) : null}
        </div>
        <p class="code">
          {text.t("error.code", { status: String(status) })} · <code>{code}</code>
        </p>
        <EmbeddedEnd text={text} />
      </main>
    </body>
  </html>
);

/**
 * The error page's ways on: the portal (signing in when the session is what is missing), back
 * to the page the visitor came from when that is a page of this host other than this one, and
 * this page again when it is a page (`GET`) that failed on the server's side.
 * @example
 * waysOn(c.req.raw, policy.branding, error) // { portal: { name: "Acme", href: "/" }, signIn: true }
 */
export function waysOn(request: Request, branding: Branding | null, error: { status: number; code: string }): WaysOn {
  const url = new URL(request.url);
  const here = url.pathname + url.search;
  const referer = request.headers.get("Referer");
  const from = referer && URL.canParse(referer) ? new URL(referer) : null;
  // Only a same-host page, read as a plain path: an error page must not become an open redirect.
  const back = from && from.origin === url.origin ? sameHostPath(from.pathname + from.search, "") : "";
  // A form is not sent again by a link (it would arrive as a GET without its fields).
  const retry = error.status >= 500 && request.method === "GET" ? sameHostPath(here, "") : "";
  return {
    portal: branding ? { name: branding.name, href: branding.portalUrl ?? "/" } : undefined,
    signIn: error.code === "session_required",
    back: back && back !== here ? back : undefined,
    retry: retry || undefined,
  };
}
