/**
 * @module
 * The grammar of a policy route, `METHOD[|METHOD…] /path/:param/*`: parsing one into the
 * pattern the trie router takes, its precedence rank, and whether the router accepts it. It
 * sits in config so the policy schema can refuse a route that would not compile without
 * importing the gate; `gate/operation-match.ts` compiles a policy's routes with it.
 */
import { METHOD_NAME_ALL } from "hono/router";
import { TrieRouter } from "hono/router/trie-router";

export interface CompiledRoute {
  methods: string[];
  path: string;
  rank: number[];
  order: number;
}

/** A pattern that ends here ranks above a `*` that would also match the rest. */
export const SEGMENT_RANK = { literal: 4, param: 3, end: 2, wildcard: 1 } as const;

export function parseRoute(route: string, order: number): CompiledRoute {
  const space = route.indexOf(" ");
  const method = route.slice(0, space);
  const path = canonicalPattern(route.slice(space + 1));
  const rank = path
    .split("/")
    .filter(Boolean)
    .map((segment) => (segment.includes("*") ? SEGMENT_RANK.wildcard : segment.startsWith(":") ? SEGMENT_RANK.param : SEGMENT_RANK.literal));
  return { methods: method === "*" ? [METHOD_NAME_ALL] : method.split("|"), path, rank, order };
}

/** Patterns are compared with canonical paths, so they get the same case and slashes. */
function canonicalPattern(path: string): string {
  const segments = path.split("/").filter(Boolean);
  return `/${segments.map((s) => (s.startsWith(":") ? s : s.toLowerCase())).join("/")}`;
}

export function addRoute<T>(router: TrieRouter<T>, route: CompiledRoute, target: T): void {
  for (const method of route.methods) router.add(method, route.path, target);
}

export function byPrecedence(a: CompiledRoute, b: CompiledRoute): number {
  for (let i = 0; i < Math.max(a.rank.length, b.rank.length); i++) {
    const difference = (b.rank[i] ?? SEGMENT_RANK.end) - (a.rank[i] ?? SEGMENT_RANK.end);
    if (difference !== 0) return difference;
  }
  const anyMethod = Number(a.methods[0] === METHOD_NAME_ALL) - Number(b.methods[0] === METHOD_NAME_ALL);
  return anyMethod !== 0 ? anyMethod : a.order - b.order;
}

/** Whether the router accepts `route`; checked by the policy schema so a stored policy always compiles. */
export function routeCompiles(route: string): boolean {
  try {
    // The router builds its matcher lazily, so a probe match is what surfaces a bad pattern.
    const router = new TrieRouter<true>();
    addRoute(router, parseRoute(route, 0), true);
    router.match("GET", "/");
    return true;
  } catch {
    return false;
  }
}
