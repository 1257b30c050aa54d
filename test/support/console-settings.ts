/** The console's security settings for the tests: the stored policy through the admin API, and the form saved with edits. */
import { expect } from "vitest";
import { adminHeaders, send } from "./builders";
import type { ConsoleAdmin } from "./console";
import { asRecord, edited, formFields } from "./console-form";

export const SETTINGS = "/settings";
export const SETTINGS_ACTION = "/__stepgate/admin/settings";

/** The stored policy and its ETag, through the admin API. */
export async function storedPolicy(admin: Pick<ConsoleAdmin, "base">): Promise<{ policy: Record<string, any>; etag: string }> {
  const response = await send(`${admin.base}/__stepgate/admin/v1/policy`, { headers: adminHeaders() });
  expect(response.status).toBe(200);
  return { policy: await response.json(), etag: response.headers.get("ETag")! };
}

/** Stores the seeded policy through the admin API, so it is kept with every default filled in (and its history diffs only what changes next). */
export async function storedThroughApi(admin: Pick<ConsoleAdmin, "base">): Promise<void> {
  const { policy, etag } = await storedPolicy(admin);
  const put = await send(`${admin.base}/__stepgate/admin/v1/policy`, {
    method: "PUT",
    headers: adminHeaders({ "If-Match": etag }),
    body: JSON.stringify(policy),
  });
  expect(put.status).toBe(200);
}

/** Loads the settings form and posts it with `changes` (see `edited`). */
export async function saveSettings(admin: ConsoleAdmin, changes: Record<string, string | string[] | null>): Promise<Response> {
  const fields = formFields(await admin.html(SETTINGS), SETTINGS_ACTION);
  return admin.post(SETTINGS, asRecord(edited(fields, changes)));
}
