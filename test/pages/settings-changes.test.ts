import { describe, expect, it } from "vitest";
import { aPolicy, aSession, aTenant, send } from "../support/builders";
import { enrollTotpViaApi } from "../support/step-up";
import { totpCode } from "../support/totp";

const browser = { Accept: "text/html,application/xhtml+xml,*/*;q=0.8", "User-Agent": "Mozilla/5.0 (test)" };

function field(html: string, name: string): string {
  const match = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  expect(match, `form field ${name}`).not.toBeNull();
  return match![1]!.replace(/&amp;/g, "&");
}

function get(base: string, path: string, cookie: string): Promise<Response> {
  return send(`${base}${path}`, { headers: { ...browser, Cookie: cookie } });
}

function postForm(base: string, path: string, cookie: string, fields: Record<string, string>): Promise<Response> {
  return send(`${base}${path}`, {
    method: "POST",
    headers: { ...browser, Cookie: cookie, Origin: base, "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields).toString(),
  });
}

/** A user who enrolled an authenticator app in another session: this one has no fresh verification. */
async function aStaleSession() {
  const { base } = await aTenant(aPolicy({ enforcement: "optional" }));
  const enrolled = await enrollTotpViaApi(base, await aSession({ sub: "rue", sid: "r-0" }));
  const token = await aSession({ sub: "rue", sid: "r-1" });
  const cookie = `portal_session=${token}`;
  const factorCount = async () =>
    (await (await send(`${base}/__stepgate/api/me`, { headers: { Cookie: cookie } })).json<{ factors: unknown[] }>()).factors.length;
  return { base, cookie, factorCount, ...enrolled };
}

describe("settings changes that need a fresh verification", () => {
  it("asks 'are you sure?' before removing a factor, and removes it after the step-up instead of dropping it", async () => {
    const { base, cookie, factorCount, secret, enrolledAt } = await aStaleSession();
    const settings = await (await get(base, "/__stepgate/settings", cookie)).text();
    const confirmPath = /<form method="get" action="(\/__stepgate\/settings\/factors\/[\w-]+\/remove)"/.exec(settings)![1]!;

    const confirm = await get(base, confirmPath, cookie);
    expect(confirm.status).toBe(200);
    const confirmHtml = await confirm.text();
    expect(confirmHtml).toContain("Remove this factor?");
    expect(confirmHtml).toContain("Authenticator app");
    expect(confirmHtml).toContain(`<form method="post" action="${confirmPath}">`);
    expect(confirmHtml).toContain('href="/__stepgate/settings"');
    const csrf = field(confirmHtml, "csrf");
    expect(await factorCount()).toBe(1);

    const forged = await postForm(base, confirmPath, cookie, { csrf: "forged" });
    expect(forged.status).toBe(403);

    const stopped = await postForm(base, confirmPath, cookie, { csrf });
    expect(stopped.status).toBe(303);
    const challengePath = stopped.headers.get("Location")!;
    expect(challengePath).toMatch(/^\/__stepgate\/challenge\/[\w-]{22}$/);
    expect(await factorCount()).toBe(1);

    const verified = await postForm(base, challengePath, cookie, { csrf, factor: "totp", code: totpCode(secret, enrolledAt + 30_000) });
    expect(verified.status).toBe(303);
    expect(verified.headers.get("Location")).toBe(confirmPath);

    // Coming back is a GET: it shows the form again and changes nothing by itself.
    const back = await get(base, confirmPath, cookie);
    expect(back.status).toBe(200);
    expect(await back.text()).toContain("Remove this factor?");
    expect(await factorCount()).toBe(1);

    const removed = await postForm(base, confirmPath, cookie, { csrf });
    expect(removed.status).toBe(200);
    expect(await removed.text()).toContain("The factor was removed.");
    expect(await factorCount()).toBe(0);
  });

  it("makes the new backup codes asked for once the step-up is passed", async () => {
    const { base, cookie, backupCodes } = await aStaleSession();
    const csrf = field(await (await get(base, "/__stepgate/settings", cookie)).text(), "csrf");

    const stopped = await postForm(base, "/__stepgate/settings/backup-codes", cookie, { csrf });
    expect(stopped.status).toBe(303);
    const challengePath = stopped.headers.get("Location")!;
    const verified = await postForm(base, challengePath, cookie, { csrf, factor: "backup_code", code: backupCodes[0]! });
    expect(verified.status).toBe(303);
    expect(verified.headers.get("Location")).toBe("/__stepgate/settings/backup-codes");

    const confirm = await (await get(base, "/__stepgate/settings/backup-codes", cookie)).text();
    expect(confirm).toContain("Make new backup codes?");
    expect(confirm).toContain('<form method="post" action="/__stepgate/settings/backup-codes">');

    const made = await postForm(base, "/__stepgate/settings/backup-codes", cookie, { csrf: field(confirm, "csrf") });
    expect(made.status).toBe(200);
    const html = await made.text();
    const codes = html.match(/<li>[0-9a-z]{5}-[0-9a-z]{5}<\/li>/g);
    expect(codes).toHaveLength(10);
    expect(codes).not.toContain(`<li>${backupCodes[1]}</li>`);
    // Kept like the first set: a text file to download (and the script's copy and print), under the page's nonce.
    const file = decodeURIComponent(/id="download-codes" download="[^"]+" href="data:text\/plain;charset=utf-8,([^"]+)"/.exec(html)![1]!);
    expect(file.trim().split("\n").slice(-10)).toEqual(codes!.map((li) => li.slice(4, -5)));
    expect(made.headers.get("Content-Security-Policy")).toMatch(/script-src 'nonce-/);
  });

  it("says so when asked to confirm removing a factor the user does not have", async () => {
    const { base, cookie } = await aStaleSession();
    const page = await get(base, `/__stepgate/settings/factors/${"x".repeat(22)}/remove`, cookie);
    expect(page.status).toBe(409);
    expect(await page.text()).toContain("That factor is not set up for this account.");
  });
});
