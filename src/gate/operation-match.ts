/**
 * @module
 * Which protected operation, if any, a request is. Routes are compiled once per policy
 * version into Hono's trie router, in precedence order, so a request matches at most one
 * operation:
 *
 * 1. the more specific path wins, compared segment by segment from the left: a literal
 *    segment beats a `:param`, which beats a `*` (and `/a` beats `/a/*` for the path `/a`);
 * 2. then a named method beats `*`;
 * 3. then the operation listed first in the policy.
 *
 * A route listed in an operation's `exempt` is not claimed by that operation (the next match
 * may claim it). `HEAD` is matched as `GET`, since origins answer both the same way. The
 * `login` operation is kept apart: it guards every route it lists (default: all) on top of the
 * specific operation, see {@link OperationMatcher.loginGuard}.
 *
 * A route whose last segment is a literal also claims that segment with a `.<format>` suffix
 * (`POST /api/withdraw` claims `/api/withdraw.json`, which Rails and others route to the same
 * action) unless its operation sets `formatSuffixes: false`. Exemptions never widen: they are
 * read without suffixes taken off and with the last segment's `;params` kept (see
 * {@link exemptionPath}). When the path as written and the path without its suffix
 * are claimed by different operations, stepgate cannot know which the origin runs: the request
 * is refused as `ambiguous_path`.
 */
import { TrieRouter } from "hono/router/trie-router";
import { LOGIN } from "../config/operation-schema";
import type { Operation } from "../config/policy-schema";
import { addRoute, byPrecedence, parseRoute, SEGMENT_RANK, type CompiledRoute } from "../config/route-pattern";
import { ProblemError } from "../lib/problem";
import { canonicalPath, exemptionPath } from "./request-path";

export interface MatchedOperation {
  name: string;
  operation: Operation;
}

export interface OperationMatcher {
  /** The operation a request is (other than `login`), or `null` when it is ordinary traffic. */
  match(method: string, pathname: string): MatchedOperation | null;
  /** The `login` operation when it guards this route (it is enabled and the route not exempt). */
  loginGuard(method: string, pathname: string): MatchedOperation | null;
}

/**
 * Routes `login` never guards, besides the tenant's own `exempt` list: static assets and the
 * portal's own sign-in and sign-out pages (a user must always be able to sign out).
 */
export const DEFAULT_LOGIN_EXEMPT = [
  "GET /favicon.ico",
  "GET /robots.txt",
  "GET /assets/*",
  "GET /static/*",
  "* /login",
  "* /logout",
  "* /signin",
  "* /signout",
];

/** Routes whose last segment is a literal, to match paths with a format suffix taken off. */
interface SuffixRoutes<T> {
  router: TrieRouter<T>;
  /** Their last segments: a path is only read without its suffix when it starts with one. */
  literals: Set<string>;
}

/**
 * Compiles `operations` into a matcher. Disabled operations are left out.
 * @example
 * const matcher = compileOperations({ withdraw: { routes: ["POST /wallet/withdraw"], ... } });
 * matcher.match("POST", "/wallet/withdraw")?.name // "withdraw"
 */
export function compileOperations(operations: Record<string, Operation>): OperationMatcher {
  const router = new TrieRouter<MatchedOperation>();
  const suffixed = suffixRoutes<MatchedOperation>();
  const exemptions = new Map<string, TrieRouter<true>>();
  const routes: Array<CompiledRoute & { target: MatchedOperation }> = [];
  let order = 0;
  let login: { target: MatchedOperation; guarded: TrieRouter<true>; guardedSuffixed: SuffixRoutes<true>; exempt: TrieRouter<true> } | null = null;
  for (const [name, operation] of Object.entries(operations)) {
    if (!operation.enabled) continue;
    const target = { name, operation };
    if (name === LOGIN) {
      const guardedSuffixed = suffixRoutes<true>();
      if (operation.formatSuffixes !== false) for (const route of operation.routes) addSuffixRoute(guardedSuffixed, parseRoute(route, 0), true);
      login = { target, guarded: routerOf(operation.routes), guardedSuffixed, exempt: routerOf([...DEFAULT_LOGIN_EXEMPT, ...operation.exempt]) };
      continue;
    }
    for (const route of operation.routes) routes.push({ ...parseRoute(route, order++), target });
    if (operation.exempt.length > 0) exemptions.set(name, routerOf(operation.exempt));
  }
  routes.sort(byPrecedence);
  for (const route of routes) {
    addRoute(router, route, route.target);
    if (route.target.operation.formatSuffixes !== false) addSuffixRoute(suffixed, route, route.target);
  }

  /** The first operation `router` offers for `path` that does not exempt the request's `exemptable` path. */
  const claim = (from: TrieRouter<MatchedOperation>, verb: string, path: string, exemptable: string): MatchedOperation | null => {
    for (const [candidate] of from.match(verb, path)[0]) {
      const exempt = exemptions.get(candidate.name);
      if (exempt && matches(exempt, verb, exemptable)) continue;
      return candidate;
    }
    return null;
  };

  return {
    match(method, pathname) {
      const verb = verbOf(method);
      const path = canonicalPath(pathname);
      const exemptable = exemptionPath(pathname);
      let found = claim(router, verb, path, exemptable);
      for (const bare of withoutFormatSuffix(path, suffixed.literals)) {
        const other = claim(suffixed.router, verb, bare, exemptable);
        if (!other || other.name === found?.name) continue;
        if (found) {
          throw new ProblemError(
            400,
            "ambiguous_path",
            `The path reads as "${found.name}" as written and as "${other.name}" without its format suffix; send the path of one operation.`,
            {
              reason: "format_suffix",
              operations: [found.name, other.name],
            },
          );
        }
        found = other;
      }
      return found;
    },
    loginGuard(method, pathname) {
      if (!login) return null;
      const verb = verbOf(method);
      const path = canonicalPath(pathname);
      if (matches(login.exempt, verb, exemptionPath(pathname))) return null;
      if (matches(login.guarded, verb, path)) return login.target;
      const { guardedSuffixed } = login;
      return withoutFormatSuffix(path, guardedSuffixed.literals).some((bare) => matches(guardedSuffixed.router, verb, bare)) ? login.target : null;
    },
  };
}

function suffixRoutes<T>(): SuffixRoutes<T> {
  return { router: new TrieRouter<T>(), literals: new Set() };
}

/** Adds `route` to `routes` when its last segment is a literal (a `:param` or `*` already takes any suffix). */
function addSuffixRoute<T>(routes: SuffixRoutes<T>, route: CompiledRoute, target: T): void {
  const last = route.path.slice(route.path.lastIndexOf("/") + 1);
  if (last === "" || route.rank.at(-1) !== SEGMENT_RANK.literal) return;
  routes.literals.add(last);
  addRoute(routes.router, route, target);
}

/**
 * The readings of a canonical `path` with a `.<format>` suffix taken off its last segment, for
 * each literal it extends (`/a/withdraw.json` → `/a/withdraw` when `withdraw` is a literal).
 * @example
 * withoutFormatSuffix("/api/report.pdf.json", new Set(["report", "report.pdf"])) // ["/api/report", "/api/report.pdf"]
 */
function withoutFormatSuffix(path: string, literals: ReadonlySet<string>): string[] {
  if (literals.size === 0) return [];
  const slash = path.lastIndexOf("/");
  const last = path.slice(slash + 1);
  if (!last.includes(".")) return [];
  const readings: string[] = [];
  for (const literal of literals) {
    if (last.length > literal.length + 1 && last.charCodeAt(literal.length) === DOT && last.startsWith(literal))
      readings.push(path.slice(0, slash + 1) + literal);
  }
  return readings;
}

const DOT = ".".charCodeAt(0);

function verbOf(method: string): string {
  return method === "HEAD" ? "GET" : method.toUpperCase();
}

function routerOf(routes: string[]): TrieRouter<true> {
  const router = new TrieRouter<true>();
  for (const route of routes) addRoute(router, parseRoute(route, 0), true);
  return router;
}

function matches(router: TrieRouter<true>, verb: string, path: string): boolean {
  return router.match(verb, path)[0].length > 0;
}

/** Ways origins let a request claim another method (Express, Rails, Laravel, Symfony, …). */
export const METHOD_OVERRIDE_HEADERS = ["X-HTTP-Method-Override", "X-HTTP-Method", "X-Method-Override"];

/**
 * The protected operations a request must pass, in order: the `login` guard (when it covers
 * the route), then the specific operation, if any. Method overrides count: a request is read
 * with its own method and with every method it claims (`X-HTTP-Method-Override`,
 * `X-HTTP-Method`, `X-Method-Override`, `?_method=`), since stepgate cannot know which one the
 * origin will act on. Two readings naming different specific operations are refused as
 * ambiguous (a client could otherwise dodge a stricter operation by claiming a laxer method).
 * A `_method` field inside a form body is not read, to keep bodies streamed; where an origin
 * honours it, list the `POST` route too.
 * @example
 * protectedOperations(matcher, "POST", new URL("https://p.example/account?_method=DELETE"), headers)
 */
export function protectedOperations(matcher: OperationMatcher, method: string, url: URL, headers: Headers): MatchedOperation[] {
  const verbs = [method, ...claimedMethods(url, headers)];
  const readings = new Map<string, MatchedOperation>();
  let login: MatchedOperation | null = null;
  for (const verb of verbs) {
    login ??= matcher.loginGuard(verb, url.pathname);
    const matched = matcher.match(verb, url.pathname);
    if (matched) readings.set(matched.name, matched);
  }
  if (readings.size > 1) {
    throw new ProblemError(400, "ambiguous_method", "The request claims methods that belong to different protected operations; send one method.", {
      operations: [...readings.keys()],
    });
  }
  return [...(login ? [login] : []), ...readings.values()];
}

/**
 * The other methods a request claims (`X-HTTP-Method-Override`, `X-HTTP-Method`,
 * `X-Method-Override`, `?_method=`), upper-cased, in that order.
 * @example
 * claimedMethods(new URL("https://p.example/a?_method=delete"), new Headers()) // ["DELETE"]
 */
export function claimedMethods(url: URL, headers: Headers): string[] {
  // `searchParams` parses the whole query: only asked when the query could name `_method`.
  const claimed = [...METHOD_OVERRIDE_HEADERS.map((name) => headers.get(name)), ...(MAY_NAME_METHOD.test(url.search) ? queryOverrides(url) : [])];
  const verbs = claimed.filter((verb): verb is string => Boolean(verb)).map((verb) => verb.trim().toUpperCase());
  // A repeated header arrives joined by commas; one origin takes the first, another the last.
  if (verbs.some((verb) => verb.includes(","))) throw repeatedOverride();
  return verbs;
}

/**
 * A query that might name `_method` under some spelling: it has the letters as written, or an
 * escape that could decode to one of them. Any other query cannot, and is not parsed (the
 * `searchParams` of a URL, built on first read, cost more than the rest of a pass-through's
 * operation matching in a CPU profile under load).
 */
const MAY_NAME_METHOD = /method|%/i;

/**
 * The `_method` the query claims. Sent twice (or spelled twice: `_METHOD`, `%5Fmethod`, `_method[]`),
 * one framework reads the first and another the last: refused rather than guessed.
 */
function queryOverrides(url: URL): string[] {
  const names = [...url.searchParams.keys()].filter((name) => name.replace(/^ +/, "").replace(/\[.*$/, "").toLowerCase() === "_method");
  if (names.length > 1 || (names.length === 1 && names[0] !== "_method")) throw repeatedOverride();
  return names.length === 1 ? [url.searchParams.get("_method")!] : [];
}

function repeatedOverride(): ProblemError {
  return new ProblemError(400, "ambiguous_method", "The request claims its method more than once; send one method override at most.");
}
