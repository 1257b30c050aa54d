/**
 * Load from autocannon: a request shape ({@link Load}), runs of a number of requests or
 * seconds, and the median of several runs.
 */
import autocannon from "autocannon";
import { HOST } from "../tenant";

/** Connections autocannon keeps open, unless a scenario says otherwise. */
export const CONNECTIONS = 16;

export interface Load {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** Varies each request (the verify scenario). */
  next?: () => { path: string; headers: Record<string, string>; body: string };
}

export interface Measured {
  /** Requests completed. */
  total: number;
  rps: number;
  p50: number;
  p99: number;
  /** Answers other than 2xx, and connection errors. */
  errors: number;
  /** What they were: the count of each status other than 2xx ("error": no answer). */
  unexpected: Record<string, number>;
}

/**
 * The errors in words, for a row's cell: "" when there were none, else "; 3 not 2xx (429 × 3)".
 * @example
 * errorsInWords({ errors: 1, unexpected: { "429": 1 } }) // "; 1 not 2xx (429 × 1)"
 */
export function errorsInWords(measured: Pick<Measured, "errors" | "unexpected">): string {
  if (measured.errors === 0) return "";
  const what = Object.entries(measured.unexpected).map(([status, count]) => `${status} × ${count}`);
  return `; ${measured.errors} not 2xx (${what.join(", ")})`;
}

/** One autocannon run against `base`: for `duration` seconds or an `amount` of requests. */
export async function fire(base: string, load: Load, limit: { duration: number } | { amount: number }, connections = CONNECTIONS): Promise<Measured> {
  const result = await autocannon({
    url: base,
    connections,
    ...limit,
    requests: [
      {
        method: (load.method ?? "GET") as "GET",
        path: load.path,
        headers: { host: HOST, ...load.headers },
        body: load.body,
        ...(load.next
          ? {
              setupRequest: (request: Record<string, unknown>) => {
                const next = load.next!();
                return { ...request, path: next.path, headers: { host: HOST, ...next.headers }, body: next.body };
              },
            }
          : {}),
      },
    ],
  });
  return {
    total: result.requests.total,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx,
    unexpected: {
      ...Object.fromEntries(
        Object.entries(result.statusCodeStats ?? {})
          .filter(([status]) => !status.startsWith("2"))
          .map(([status, { count }]) => [status, count]),
      ),
      ...(result.errors > 0 ? { error: result.errors } : {}),
    },
  };
}

/** Each figure the median of the runs' (requests and errors summed). */
export function medianOf(runs: Measured[]): Measured {
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  return {
    total: runs.reduce((n, r) => n + r.total, 0),
    rps: median(runs.map((r) => r.rps)),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    errors: runs.reduce((n, r) => n + r.errors, 0),
    unexpected: runs.reduce<Record<string, number>>((sum, r) => {
      for (const [status, count] of Object.entries(r.unexpected)) sum[status] = (sum[status] ?? 0) + count;
      return sum;
    }, {}),
  };
}

/** Runs `one` for each index, `CONNECTIONS` at a time. */
export async function inParallel<T>(count: number, one: (i: number) => Promise<T>): Promise<T[]> {
  const done: T[] = [];
  for (let i = 0; i < count; i += CONNECTIONS)
    done.push(...(await Promise.all(Array.from({ length: Math.min(CONNECTIONS, count - i) }, (_, j) => one(i + j)))));
  return done;
}
