import { describe, expect, it } from "vitest";
import { aTenant, send } from "../support/builders";

describe("/__stepgate/client.js", () => {
  it("serves the SPA client on any host, cacheable for minutes and revalidated by its ETag", async () => {
    const { base } = await aTenant();
    for (const host of [base, "https://no-tenant.example"]) {
      const response = await send(`${host}/__stepgate/client.js`);
      expect(response.status, host).toBe(200);
      expect(response.headers.get("Content-Type")).toBe("text/javascript; charset=utf-8");
      expect(response.headers.get("Cache-Control")).toBe("public, max-age=300");
      expect(response.headers.get("X-Content-Type-Options")).toBe("nosniff");
      const script = await response.text();
      // The build of client/ (npm run assets): the global it defines and the messages it listens for.
      expect(script).toContain("window.stepgate=");
      expect(script).toContain('"stepgate:"');
      const etag = response.headers.get("ETag");
      expect(etag).toBeTruthy();
      const again = await send(`${host}/__stepgate/client.js`, { headers: { "If-None-Match": etag! } });
      expect(again.status).toBe(304);
      expect(await again.text()).toBe("");
    }
  });
});
