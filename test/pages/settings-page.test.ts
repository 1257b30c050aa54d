/**
 * The settings page as a user reads it: its headings, compact buttons, the backup codes left,
 * activity that says what was confirmed, with which factor, from where and when, and the way
 * back to the portal.
 */
import { describe, expect, it } from "vitest";
import type { PolicyInput } from "../../src/config/policy-schema";
import { aPolicy, aSession, aTenant, send } from "../support/builders";
import { challengeFor, enrollTotpViaApi, sessionHeaders } from "../support/step-up";
import { totpCode } from "../support/totp";

const browser = { Accept: "text/html,application/xhtml+xml,*/*;q=0.8", "User-Agent": "Mozilla/5.0 (test)" };

async function aUser(user: string, overrides: Partial<PolicyInput> = {}) {
  const { base } = await aTenant(aPolicy({ enforcement: "required", operations: { withdraw: { routes: ["POST /echo/withdraw"], maxAge: 0 } }, ...overrides }));
  const token = await aSession({ sub: user });
  const enrolled = await enrollTotpViaApi(base, token);
  const settings = (headers: Record<string, string> = {}, cf: Record<string, string> = {}) =>
    send(`${base}/__stepgate/settings`, { headers: { ...browser, Cookie: `portal_session=${token}`, ...headers }, cf } as RequestInit);
  /** Answers a challenge of `path` with `factor`'s `code`, sent from where `cf` and `ip` say. */
  const answer = async (path: string, factor: string, code: string, from: { cf?: Record<string, string>; ip?: string } = {}) => {
    const challengeId = await challengeFor(`${base}${path}`, token);
    return send(`${base}/__stepgate/api/challenges/${challengeId}/verify`, {
      method: "POST",
      headers: sessionHeaders(token, from.ip ? { "CF-Connecting-IP": from.ip } : {}),
      body: JSON.stringify({ factor, code }),
      cf: from.cf ?? {},
    } as RequestInit).then((r) => r.status);
  };
  return { base, token, settings, answer, ...enrolled };
}

describe("the settings page", () => {
  it("has one h1, then an h2 for each section with no level skipped, and compact buttons beside what they act on", async () => {
    // Optional 2FA: the last factor may be removed.
    const { settings } = await aUser("hed", { enforcement: "optional" });
    const html = await (await settings()).text();
    const levels = [...html.matchAll(/<h([1-6])[\s>]/g)].map((m) => Number(m[1]));
    expect(levels).toEqual([1, 2, 2, 2, 2]);
    expect([...html.matchAll(/<h2 id="([\w-]+)"/g)].map((m) => m[1])).toEqual(["factors-heading", "backup-heading", "devices-heading", "activity-heading"]);
    for (const heading of ["factors-heading", "backup-heading", "devices-heading", "activity-heading"]) {
      expect(html).toContain(`<section class="card" aria-labelledby="${heading}">`);
    }
    // Remove and Replace sit in the factor's row, small, and say which factor they act on.
    const row = /<li><span id="(factor-[\w-]+)">Authenticator app<\/span><span class="actions">([\s\S]*?)<\/span><\/li>/.exec(html);
    expect(row).not.toBeNull();
    const buttons = [...row![2]!.matchAll(/<button type="submit" class="secondary compact" aria-describedby="([\w-]+)">(\w+)<\/button>/g)];
    expect(buttons.map((b) => [b[1], b[2]])).toEqual([
      [row![1], "Replace"],
      [row![1], "Remove"],
    ]);
    expect(html).toMatch(/button\.compact\{display:inline-block;width:auto;/);
  });

  it("links back to the portal: its portalUrl, else this host's home page", async () => {
    const own = await aUser("way", { branding: { name: "Acme Broker", portalUrl: "https://www.acme.test/account" } });
    expect(await (await own.settings()).text()).toContain('<a href="https://www.acme.test/account" id="portal">Back to Acme Broker</a>');
    const host = await aUser("home", { branding: { name: "Acme Broker" } });
    expect(await (await host.settings({ "Accept-Language": "de" })).text()).toContain('<a href="/" id="portal">Zurück zu Acme Broker</a>');
  });

  it("says how many backup codes are left of the set", async () => {
    const { settings, answer, backupCodes } = await aUser("left");
    expect(await (await settings()).text()).toContain("<strong>10 of 10 left</strong>");
    for (const code of backupCodes.slice(0, 3)) expect(await answer("/echo/withdraw", "backup_code", code)).toBe(200);
    expect(await (await settings()).text()).toContain('<p id="backup-left"><strong>7 of 10 left</strong></p>');
    expect(await (await settings({ "Accept-Language": "ru" })).text()).toContain("<strong>Осталось: 7 из 10</strong>");
  });

  it("names what each activity confirmed, with which factor, from where and when, in the page's language and time zone", async () => {
    const { settings, answer, secret, enrolledAt, backupCodes } = await aUser("act", {
      operations: {
        withdraw: { routes: ["POST /echo/withdraw"], maxAge: 0 },
        payout: { routes: ["POST /echo/payout"], maxAge: 0 },
      },
      branding: { text: { en: { "op.payout": "payout to a partner" }, de: { "op.payout": "Partnerauszahlung" } } },
    });
    expect(await answer("/echo/withdraw", "totp", totpCode(secret, enrolledAt + 30_000), { cf: { city: "Berlin", country: "DE" }, ip: "203.0.113.9" })).toBe(
      200,
    );
    expect(await answer("/echo/payout", "backup_code", backupCodes[0]!, { cf: { country: "FR" }, ip: "203.0.113.9" })).toBe(200);
    expect(await answer("/echo/withdraw", "backup_code", "aaaaa-aaaaa", { ip: "198.51.100.7" })).toBe(400);

    const html = await (await settings({}, { timezone: "Europe/Berlin" })).text();
    const entries = [...html.matchAll(/<ul class="log" id="activity">([\s\S]*?)<\/ul>/g)][0]![1]!.split("</li>");
    const shown = entries.map((li) => li.replace(/<time datetime="[^"]+">([^<]+)<\/time>/, "($1)").replace(/<[^>]+>/g, "")).filter(Boolean);
    expect(shown).toEqual([
      expect.stringMatching(/^Wrong code \(Backup code\) · 198\.51\.100\.7 · \(\w{3} \d{1,2}, \d{4}, \d{1,2}:\d{2} [AP]M\)$/),
      expect.stringMatching(/^Payout to a partner confirmed with a backup code · France · \(/),
      expect.stringMatching(/^Withdrawal confirmed with authenticator app · Berlin · \(/),
      expect.stringMatching(/^Factor added \(Authenticator app\) · \(/),
    ]);
    expect(html).toContain("Central European Standard Time (Europe/Berlin)");

    const german = await (await settings({ "Accept-Language": "de" })).text();
    expect(german).toContain('Partnerauszahlung mit einem Backup-Code bestätigt<span class="muted"> · Frankreich · <time');
    expect(german).toContain('Auszahlung mit der Authenticator-App bestätigt<span class="muted"> · Berlin · <time');
    expect(german).toContain("Falscher Code (Backup-Code)");
  });
});
