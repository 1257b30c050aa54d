/**
 * Restarting `npm run dev` does not undo what an admin changed: the demo tenant's policy is
 * seeded into local state that has none, kept on later starts (its origin and logo following
 * the demo portal to this run's port), and seeded again only when asked with STEPGATE_RESEED=1.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { demoPolicy } from "../../demo/tenant";
import { PolicySchema } from "../../src/config/policy-schema";
import { startDevServer, type DevServer } from "../browser/dev-server";

/** A start of the dev server (wrangler, the seeding) takes 10–20 s on a busy machine. */
const START_TIMEOUT_MS = 120_000;

const stateDir = mkdtempSync(join(tmpdir(), "stepgate-policy-kept-"));
let server: DevServer | undefined;

afterAll(async () => {
  await server?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

/** `npm run dev` created .dev.vars by now; its admin key is the deployment's bootstrap key. */
const adminHeaders = () => ({ Authorization: `Bearer ${/^STEPGATE_ADMIN_KEY=(.*)$/m.exec(readFileSync(".dev.vars", "utf8"))![1]!.trim()}` });

async function restart(env?: Record<string, string>): Promise<DevServer> {
  await server?.stop();
  server = await startDevServer({ stateDir, env });
  return server;
}

async function storedPolicy(base: string): Promise<{ etag: string; policy: Record<string, unknown> }> {
  const response = await fetch(`${base}/__stepgate/admin/v1/policy`, { headers: adminHeaders() });
  expect(response.status).toBe(200);
  return { etag: response.headers.get("ETag")!, policy: (await response.json()) as Record<string, unknown> };
}

describe("npm run dev and the demo tenant's policy", () => {
  let changed: Record<string, unknown>;

  it(
    "seeds demo/tenant.ts's policy into a fresh state dir",
    async () => {
      const { base, demoOrigin, output } = await restart();
      expect((await storedPolicy(base)).policy).toEqual(PolicySchema.parse(demoPolicy(demoOrigin)));
      expect(output()).toContain("demo tenant: seeded its policy from demo/tenant.ts for localhost, 127.0.0.1");
    },
    START_TIMEOUT_MS,
  );

  it(
    "keeps an admin's change when it restarts on the same state, pointed at this run's demo portal",
    async () => {
      const { base } = server!;
      const { etag } = await storedPolicy(base);
      const patched = await fetch(`${base}/__stepgate/admin/v1/policy`, {
        method: "PATCH",
        headers: { ...adminHeaders(), "If-Match": etag, "Content-Type": "application/merge-patch+json" },
        body: JSON.stringify({ enforcement: "required", branding: { name: "Kept Brokerage" } }),
      });
      expect(patched.status).toBe(200);
      changed = (await storedPolicy(base)).policy;
      expect(changed).toMatchObject({ enforcement: "required", branding: { name: "Kept Brokerage" } });

      const restarted = await restart();
      expect(restarted.demoOrigin).not.toBe(changed.origin);
      // The demo portal's logo moved with it; the admin's branding is otherwise kept.
      const logoUrl = `${restarted.demoOrigin}/logo.svg`;
      expect((await storedPolicy(restarted.base)).policy).toEqual({
        ...changed,
        origin: restarted.demoOrigin,
        branding: { ...(changed.branding as object), logoUrl },
      });
      expect((await fetch(logoUrl)).headers.get("Content-Type")).toBe("image/svg+xml");
      expect(restarted.output()).toContain(
        `demo tenant: kept its existing policy (origin now ${restarted.demoOrigin}); STEPGATE_RESEED=1 npm run dev seeds demo/tenant.ts's policy again`,
      );
      // The portal answers through stepgate on its new port.
      const login = await fetch(`${restarted.base}/login`);
      expect(login.status).toBe(200);
      expect(await login.text()).toContain('<form method="post" action="/login">');
    },
    2 * START_TIMEOUT_MS,
  );

  it(
    "seeds demo/tenant.ts's policy again with STEPGATE_RESEED=1",
    async () => {
      const { base, demoOrigin, output } = await restart({ STEPGATE_RESEED: "1" });
      expect((await storedPolicy(base)).policy).toEqual(PolicySchema.parse(demoPolicy(demoOrigin)));
      expect(output()).toContain("demo tenant: seeded its policy from demo/tenant.ts afresh (STEPGATE_RESEED=1)");
    },
    START_TIMEOUT_MS,
  );
});
