/** Admin helpers for the tests: tenant keys made through the API, and letting user objects publish to the tenant's. */
import { env, runDurableObjectAlarm } from "cloudflare:test";
import { expect } from "vitest";
import { userState } from "../../src/state/user";
import { adminHeaders, send } from "./builders";
import { delivered } from "./events";

/** A tenant key with `scopes`, made with the bootstrap key; returns the secret. */
export async function aTenantKey(base: string, scopes: string[], name = "test key"): Promise<{ id: string; key: string }> {
  const response = await send(`${base}/__stepgate/admin/v1/keys`, { method: "POST", headers: adminHeaders(), body: JSON.stringify({ name, scopes }) });
  expect(response.status).toBe(201);
  return response.json<{ id: string; key: string }>();
}

/** Headers for a JSON admin call with `key`. */
export function keyHeaders(key: string, extra: Record<string, string> = {}): Record<string, string> {
  return { Authorization: `Bearer ${key}`, "Content-Type": "application/json", ...extra };
}

/**
 * Runs each user object's pending alarm now, which publishes its status and new audit entries
 * to the event stream (normally within `PUBLISH_DELAY_MS`), and waits until the stream's
 * consumer stored them in the tenant's object.
 */
export async function usersSync(tenantId: string, ...userIds: string[]): Promise<void> {
  for (const userId of userIds) await runDurableObjectAlarm(userState(env, tenantId, userId));
  for (const userId of userIds) await delivered(tenantId, userId);
}

/** `GET` an admin URL with the bootstrap key and return the JSON. */
export async function adminGet<T>(url: string, headers = adminHeaders()): Promise<T> {
  const response = await send(url, { headers });
  expect(response.status, url).toBe(200);
  return response.json<T>();
}
