/** KV reads and Durable Object calls per request, from the counting instance (bench/counting-worker.ts). */
import { fire, type Load } from "./load";

export interface Calls {
  durableObject: number;
  kv: number;
}

/**
 * KV reads and Durable Object calls per request, from the counting instance's running totals
 * (its `StepGate-Calls` header), over `requests` requests under the same load as the timed
 * instance gets.
 */
export async function callsPerRequest(base: string, load: Load, requests: number): Promise<Calls> {
  const before = await callTotals(base);
  const result = await fire(base, load, { amount: requests });
  if (result.errors > 0) throw new Error(`counting run for ${load.path} had ${result.errors} errors`);
  const after = await callTotals(base);
  return { durableObject: (after.durableObject - before.durableObject) / result.total, kv: (after.kv - before.kv) / result.total };
}

/** The counting instance's running totals of KV reads and Durable Object calls (its `StepGate-Calls` header). */
export async function callTotals(base: string): Promise<Calls> {
  const header = (await fetch(`${base}/__stepgate/healthz`)).headers.get("StepGate-Calls") ?? "";
  const [, kv, dos] = /kv=(\d+);do=(\d+)/.exec(header) ?? [];
  return { kv: Number(kv), durableObject: Number(dos) };
}
