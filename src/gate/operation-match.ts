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
 * may claim it). `HEAD` is matched as `GET`, since origins answer both the same way.
 */
import { METHOD_NAME_ALL } from "hono/router";
import { TrieRouter } from "hono/router/trie-router";
import type { Operation } from "../config/policy-schema";
import { ProblemError } from "../lib/problem";
import { canonicalPath } from "./request-path";

export interface MatchedOperation {
  name: string;
  operation: Operation;
}

export interface OperationMatcher {
  /** The operation a request belongs to, or `null` when it is ordinary traffic. */
  match(method: string, pathname: string): MatchedOperation | null;
}

interface CompiledRoute {
  methods: string[];
  path: string;
  rank: number[];
  order: number;
}

/** A pattern that ends here ranks above a `*` that would also match the rest. */
const SEGMENT_RANK = { literal: 4, param: 3, end: 2, wildcard: 1 } as const;

/**
 * Compiles `operations` into a matcher. Disabled operations are left out.
 * @example
 * const matcher = compileOperations({ withdraw: { routes: ["POST /wallet/withdraw"], ... } });
 * matcher.match("POST", "/wallet/withdraw")?.name // "withdraw"
 */
export function compileOperations(operations: Record<string, Operation>): OperationMatcher {
  const router = new TrieRouter<MatchedOperation>();
  const exemptions = new Map<string, TrieRouter<true>>();
  const routes: Array<CompiledRoute & { target: MatchedOperation }> = [];
  let order = 0;
  for (const [name, operation] of Object.entries(operations)) {
    if (!operation.enabled) continue;
    const target = { name, operation };
    for (const route of operation.routes) routes.push({ ...parseRoute(route, order++), target });
    if (operation.exempt.length > 0) {
      const exempt = new TrieRouter<true>();
      for (const route of operation.exempt) addRoute(exempt, parseRoute(route, 0), true);
      exemptions.set(name, exempt);
    }
  }
  routes.sort(byPrecedence);
  for (const route of routes) addRoute(router, route, route.target);

  return {
    match(method, pathname) {
      const verb = method === "HEAD" ? "GET" : method.toUpperCase();
      const path = canonicalPath(pathname);
      for (const [candidate] of router.match(verb, path)[0]) {
        const exempt = exemptions.get(candidate.name);
        if (exempt && exempt.match(verb, path)[0].length > 0) continue;
        return candidate;
      }
      return null;
    },
  };
}

/** Ways origins let a request claim another method (Express, Rails, Laravel, Symfony, …). */
const METHOD_OVERRIDE_HEADERS = ["X-HTTP-Method-Override", "X-HTTP-Method", "X-Method-Override"];

/**
 * The operation a request is, counting the methods it may claim through a method-override
 * header or a `_method` query parameter as well as its own, since stepgate cannot know which
 * one the origin will act on. When the readings name different operations, a specific one wins
 * over the `login` session guard, and two specific ones are refused as ambiguous (a client
 * could otherwise dodge a stricter operation by claiming a laxer method). A `_method` field
 * inside a form body is not read, to keep bodies streamed; where an origin honours it, list
 * the `POST` route too.
 * @example
 * matchRequest(matcher, "POST", new URL("https://p.example/account?_method=DELETE"), headers)
 */
export function matchRequest(matcher: OperationMatcher, method: string, url: URL, headers: Headers): MatchedOperation | null {
  const claimed = [...METHOD_OVERRIDE_HEADERS.map((name) => headers.get(name)), url.searchParams.get("_method")];
  const readings = new Map<string, MatchedOperation>();
  for (const verb of [method, ...claimed]) {
    const matched = verb ? matcher.match(verb.trim().toUpperCase(), url.pathname) : null;
    if (matched) readings.set(matched.name, matched);
  }
  if (readings.size <= 1) return readings.values().next().value ?? null;
  readings.delete("login");
  if (readings.size === 1) return readings.values().next().value!;
  throw new ProblemError(400, "ambiguous_method", "The request claims methods that belong to different protected operations; send one method.", {
    operations: [...readings.keys()],
  });
}

function parseRoute(route: string, order: number): CompiledRoute {
  const space = route.indexOf(" ");
  const method = route.slice(0, space);
  const path = canonicalPattern(route.slice(space + 1));
  const rank = path
    .split("/")
    .filter(Boolean)
    .map((segment) =>
      segment.includes("*") ? SEGMENT_RANK.wildcard : segment.startsWith(":") ? SEGMENT_RANK.param : SEGMENT_RANK.literal,
    );
  return { methods: method === "*" ? [METHOD_NAME_ALL] : method.split("|"), path, rank, order };
}

/** Patterns are compared with canonical paths, so they get the same case and slashes. */
function canonicalPattern(path: string): string {
  const segments = path.split("/").filter(Boolean);
  return `/${segments.map((s) => (s.startsWith(":") ? s : s.toLowerCase())).join("/")}`;
}

function addRoute<T>(router: TrieRouter<T>, route: CompiledRoute, target: T): void {
  for (const method of route.methods) router.add(method, route.path, target);
}

function byPrecedence(a: CompiledRoute, b: CompiledRoute): number {
  for (let i = 0; i < Math.max(a.rank.length, b.rank.length); i++) {
    const difference = (b.rank[i] ?? SEGMENT_RANK.end) - (a.rank[i] ?? SEGMENT_RANK.end);
    if (difference !== 0) return difference;
  }
  const anyMethod = Number(a.methods[0] === METHOD_NAME_ALL) - Number(b.methods[0] === METHOD_NAME_ALL);
  return anyMethod !== 0 ? anyMethod : a.order - b.order;
}
