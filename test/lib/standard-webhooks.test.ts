/**
 * stepgate's Standard Webhooks signing (WebCrypto) against the Standard Webhooks project's own
 * library (`standardwebhooks`, an independent implementation, run by the fixture receiver in
 * Node: test/support/origins.ts): what one signs, the other verifies; with two secrets (a
 * rotation) either verifies alone; a changed byte, id or time verifies with none.
 */
import { describe, expect, it } from "vitest";
import { newWebhookSecret, standardWebhookHeaders } from "../../src/lib/standard-webhooks";
import { aReceiver, received } from "../support/webhooks";

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Posts `body` with `headers` to a receiver holding `secrets`; answers which of them verified it. */
async function verifiedWith(secrets: string[], headers: Record<string, string>, body: string): Promise<number[]> {
  const receiver = await aReceiver({ secrets });
  await fetch(receiver.url, { method: "POST", headers: { ...headers, "Content-Type": "application/json" }, body });
  const [delivery] = await received(receiver.name);
  return delivery!.verifiedWith;
}

describe("Standard Webhooks signing", () => {
  it("makes secrets as whsec_ and the base64 of 32 random bytes, each different", () => {
    const secrets = Array.from({ length: 20 }, newWebhookSecret);
    for (const secret of secrets) {
      expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
      expect(atob(secret.slice("whsec_".length))).toHaveLength(32);
    }
    expect(new Set(secrets).size).toBe(secrets.length);
  });

  it("signs a delivery the standardwebhooks library verifies, and names its id and time", async () => {
    const secret = newWebhookSecret();
    const body = JSON.stringify({ id: "u-ab12-7", type: "verify.failed", data: { detail: { note: "ünïcødé ✓" } } });
    const headers = await standardWebhookHeaders([secret], "u-ab12-7", nowSeconds(), body);
    expect(headers["webhook-id"]).toBe("u-ab12-7");
    expect(headers["webhook-timestamp"]).toBe(String(nowSeconds()));
    expect(headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(await verifiedWith([secret, newWebhookSecret()], headers, body)).toEqual([0]);
  });

  it("signs with every secret given, so during a rotation the old and the new each verify on their own", async () => {
    const [current, previous] = [newWebhookSecret(), newWebhookSecret()];
    const body = '{"id":"p-00-1","type":"webhook.test"}';
    const headers = await standardWebhookHeaders([current, previous], "p-00-1", nowSeconds(), body);
    expect(headers["webhook-signature"]!.split(" ")).toHaveLength(2);
    expect(await verifiedWith([previous, current, newWebhookSecret()], headers, body)).toEqual([0, 1]);
  });

  it("verifies with no secret once the body, the id or the time changed", async () => {
    const secret = newWebhookSecret();
    const body = '{"id":"u-ab12-8"}';
    const headers = await standardWebhookHeaders([secret], "u-ab12-8", nowSeconds(), body);
    expect(await verifiedWith([secret], headers, body)).toEqual([0]);
    expect(await verifiedWith([secret], headers, '{"id":"u-ab12-9"}')).toEqual([]);
    expect(await verifiedWith([secret], { ...headers, "webhook-id": "u-ab12-9" }, body)).toEqual([]);
    expect(await verifiedWith([secret], { ...headers, "webhook-timestamp": String(nowSeconds() - 1) }, body)).toEqual([]);
  });

  it("refuses to sign with something that is not a whsec_ secret", async () => {
    await expect(standardWebhookHeaders(["not-a-secret"], "u-ab12-1", nowSeconds(), "{}")).rejects.toThrow(/not a Standard Webhooks secret/);
  });
});
