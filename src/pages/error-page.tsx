/**
 * @module
 * The page a browser sees instead of a problem+json body: same status, plain words in the
 * visitor's language, the problem's code for whoever they ask for help.
 */
import type { FC } from "hono/jsx";
import type { PageText } from "./i18n/page-text";
import { PageStyle } from "./layout";

const STYLE = "body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#1f2328}h1{font-size:1.4rem}p.code{color:#656d76}";

export interface ErrorPageProps {
  text: PageText;
  status: number;
  /** The problem's stable code (`origin_unreachable`), shown as it is. */
  code: string;
  title: string;
  detail: string;
}

/**
 * @example
 * renderPage(c, <ErrorPage text={text} status={502} code="origin_unreachable" title={…} detail={…} />, 502)
 */
export const ErrorPage: FC<ErrorPageProps> = ({ text, status, code, title, detail }) => (
  <html lang={text.language} dir={text.dir}>
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <title>{`${status} ${title}`}</title>
      <PageStyle css={STYLE} />
    </head>
    <body>
      <main>
        <h1>{title}</h1>
        <p>{detail}</p>
        <p class="code">
          {text.t("error.code", { status: String(status) })} · <code>{code}</code>
        </p>
      </main>
    </body>
  </html>
);
