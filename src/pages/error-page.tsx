/**
 * @module
 * The page a browser sees instead of a problem+json body: same status, plain words.
 */
import type { FC } from "hono/jsx";
import { PageStyle } from "./layout";

const STYLE = "body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#1f2328}h1{font-size:1.4rem}p.code{color:#656d76}";

export interface ErrorPageProps {
  status: number;
  title: string;
  detail: string;
}

/**
 * @example
 * renderPage(c, <ErrorPage status={502} title="Origin unreachable" detail="..." />, 502)
 */
export const ErrorPage: FC<ErrorPageProps> = ({ status, title, detail }) => (
  <html lang="en">
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
        <p class="code">Error {status}</p>
      </main>
    </body>
  </html>
);
