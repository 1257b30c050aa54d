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
  const totals = async () => {
    const header = (await fetch(`${base}/__stepgate/healthz`)).headers.get("StepGate-Calls") ?? "";
    const [, kv, dos] = /kv=(\d+);do=(\d+)/.exec(header) ?? [];
    return { kv: Number(kv), durableObject: Number(dos) };
  };
  const before = await totals();
  const result = await fire(base, load, { amount: requests });
  if (result.errors > 0) throw new Error(`counting run for ${load.path} had ${result.errors} errors`);
  const after = await totals();
  return { durableObject: (after.durableObject - before.durableObject) / result.total, kv: (after.kv - before.kv) / result.total };
}
