/**
 * Injection through displayed fields: HTML and script in the tenant's name, in a device name
 * taken from the user agent, and in the user agent recorded in the audit trail are shown as
 * text, never as markup; line breaks never reach a header or a text message.
 */
import { describe, expect, it } from "vitest";
import { adminHeaders, aPolicy, aSession, aTenant, send } from "../support/builders";
import { enrollTotpViaApi, postJson } from "../support/step-up";

const PAYLOAD = `<script>alert(1)</script><img src=x onerror=alert(2)>"'&`;

describe("injection through displayed fields", () => {
  it("shows the tenant's name, a device name and the audit's user agent as text", async () => {
    const { base } = await aTenant(
      aPolicy({
        branding: { name: PAYLOAD },
        operations: { login: { routes: ["* /*"], maxAge: 3600 }, withdraw: { routes: ["POST /echo/withdraw"], maxAge: 0 } },
        trustedDevices: { enabled: true },
      }),
    );
    const token = await aSession({ sub: "ina" });
    const { backupCodes } = await enrollTotpViaApi(base, token);
    const stopped = await send(`${base}/echo/home`, { headers: { Cookie: `portal_session=${token}`, "User-Agent": PAYLOAD } });
    const { challengeId } = await stopped.json<{ challengeId: string }>();
    const page = await (
      await send(`${base}/__stepgate/challenge/${challengeId}`, { headers: { Accept: "text/html", Cookie: `portal_session=${token}` } })
    ).text();
    expect(page).not.toContain("<script>alert(1)");
    expect(page).not.toContain("<img src=x");
    expect(page).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");

    const verified = await postJson(
      `${base}/__stepgate/api/challenges/${challengeId}/verify`,
      token,
      { factor: "backup_code", code: backupCodes[0], trustDevice: true },
      { "User-Agent": PAYLOAD },
    );
    expect(verified.status).toBe(200);
    const grant = verified.headers
      .getSetCookie()
      .find((c) => c.startsWith("__Host-stepgate-grant-login="))!
      .split(";")[0]!;
    const settings = await (
      await send(`${base}/__stepgate/settings`, { headers: { Accept: "text/html", Cookie: `portal_session=${token}; ${grant}` } })
    ).text();
    expect(settings).not.toContain("<script>alert(1)");
    expect(settings).not.toContain("<img src=x");

    const audit = await (await send(`${base}/__stepgate/admin/v1/audit?user=ina`, { headers: adminHeaders() })).json<{
      entries: Array<{ userAgent: string | null }>;
    }>();
    expect(audit.entries.some((e) => e.userAgent === PAYLOAD)).toBe(true); // kept as data, for the admin's JSON, not rendered
  });

  it("refuses a tenant name with a line break (it would reach email subjects and texts)", async () => {
    const { base } = await aTenant();
    const etag = (await send(`${base}/__stepgate/admin/v1/policy`, { headers: adminHeaders() })).headers.get("ETag")!;
    const response = await send(`${base}/__stepgate/admin/v1/policy`, {
      method: "PATCH",
      headers: adminHeaders({ "If-Match": etag, "Content-Type": "application/merge-patch+json" }),
      body: JSON.stringify({ branding: { name: "Acme\r\nBcc: victim@example.test" } }),
    });
    expect(response.status).toBe(422);
    expect((await response.json<{ errors: Array<{ pointer: string }> }>()).errors[0]!.pointer).toBe("#/branding/name");
  });
});
