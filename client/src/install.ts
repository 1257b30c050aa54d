/**
 * @module
 * `stepgate.install()`: puts step-up into the page's own `fetch` calls, for the paths listed.
 */
import { modeFor } from "./client-settings.js";
import { sendWithStepUp } from "./step-up-fetch.js";

/**
 * The requests that step up: pathnames (a string is the whole pathname, or a prefix when it ends
 * in `/`), patterns tested against the pathname, or a function of the request.
 */
export type PathMatch = ReadonlyArray<string | RegExp> | ((url: URL, request: Request) => boolean);

/** What `stepgate.install` wraps. */
export interface InstallOptions {
  /** The same-origin requests that step up; every other one is sent as it was. */
  paths: PathMatch;
}

/**
 * Wraps `window.fetch` so that the page's same-origin requests to `paths` step up as with
 * `stepgate.fetch`; every other request is sent untouched. Returns a function that unwraps it.
 * @example
 * const uninstall = stepgate.install({ paths: ["/api/withdraw", "/api/transfers/", /^\/api\/cards\/\d+\/limit$/] });
 */
export function install(options: InstallOptions): () => void {
  const previous = window.fetch;
  const send = (request: Request) => previous.call(window, request);
  const matches = matcher(options.paths);
  async function stepgateFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    const url = new URL(input instanceof Request ? input.url : String(input), document.baseURI);
    // stepgate answers for the page's own domain only: another origin's calls are not touched.
    if (url.origin !== location.origin) return previous.call(window, input, init);
    const request = new Request(input, init);
    return matches(url, request) ? sendWithStepUp(request, send, modeFor(undefined)) : send(request);
  }
  window.fetch = stepgateFetch;
  return () => {
    // Only our own wrapper comes off: one put on top of it later would be lost with it.
    if (window.fetch === stepgateFetch) window.fetch = previous;
  };
}

function matcher(paths: PathMatch): (url: URL, request: Request) => boolean {
  if (typeof paths === "function") return paths;
  return ({ pathname }) =>
    paths.some((path) => {
      if (typeof path === "string") return path.endsWith("/") ? pathname.startsWith(path) : pathname === path;
      path.lastIndex = 0; // a /g or /y pattern tests from where its last match ended
      return path.test(pathname);
    });
}
