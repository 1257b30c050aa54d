/**
 * Replacing the authenticator app from the hosted pages: a user has one app, so the enrolment
 * offers to replace it instead of adding a second; settings → fresh verification → the new
 * app's QR code → its first code, and only then is the old app gone.
 */
import { describe, expect, it } from "vitest";
import { aPolicy, aSession, aTenant, send } from "../support/builders";
import { challengeFor, postJson, verify } from "../support/step-up";
import { totpCode } from "../support/totp";

const browser = { Accept: "text/html,application/xhtml+xml,*/*;q=0.8", "User-Agent": "Mozilla/5.0 (test)" };
const policy = (sms = true) =>
  aPolicy({ enforcement: "required", factors: { sms: { enabled: sms } }, operations: { withdraw: { routes: ["POST /echo/withdraw"], maxAge: 0 } } });

function field(html: string, name: string): string {
  const match = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  expect(match, `form field ${name}`).not.toBeNull();
  return match![1]!.replace(/&amp;/g, "&");
}

/**
 * A user whose app was enrolled through the API (session `<user>-0`) with the code of the step
 * before `t0`, leaving `t0`'s and the next step's codes unused; `cookie` is another, stale session.
 */
async function anAppUser(user: string, sms = true) {
  const { base } = await aTenant(policy(sms));
  const first = await aSession({ sub: user, sid: `${user}-0` });
  const started = await postJson(`${base}/__stepgate/api/enroll/totp`, first, {});
  const { enrollmentId, secret } = await started.json<{ enrollmentId: string; secret: string }>();
  const t0 = Date.now();
  const confirmed = await postJson(`${base}/__stepgate/api/enroll/totp/confirm`, first, { enrollmentId, code: totpCode(secret, t0 - 30_000) });
  const { backupCodes } = await confirmed.json<{ backupCodes: string[] }>();
  const token = await aSession({ sub: user, sid: `${user}-1` });
  const cookie = `portal_session=${token}`;
  const get = (path: string, session = cookie) => send(`${base}${path}`, { headers: { ...browser, Cookie: session } });
  const post = (path: string, fields: Record<string, string>) =>
    send(`${base}${path}`, {
      method: "POST",
      headers: { ...browser, Cookie: cookie, Origin: base, "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields).toString(),
    });
  const apps = async () =>
    (await (await send(`${base}/__stepgate/api/me`, { headers: { Cookie: cookie } })).json<{ factors: Array<{ id: string; kind: string }> }>()).factors;
  const appId = (await apps())[0]!.id;
  /** The status of a withdrawal's challenge answered with this authenticator `code`. */
  const answers = async (code: string) => (await verify(base, token, await challengeFor(`${base}/echo/withdraw`, token), "totp", code)).status;
  return { base, first, token, cookie, secret, t0, backupCodes, get, post, apps, appId, answers };
}

describe("replacing the authenticator app from the pages", () => {
  it("goes settings → fresh verification → the new app's QR code; the old app answers until the new one is confirmed, then only the new one", async () => {
    const user = await anAppUser("ria");
    const settings = await (await user.get("/__stepgate/settings")).text();
    expect(settings).toContain('<form method="get" action="/__stepgate/enroll"><input type="hidden" name="factor" value="totp"/>');
    expect(field(settings, "replace")).toBe(user.appId);
    const replacePath = `/__stepgate/enroll?factor=totp&replace=${user.appId}`;

    const stopped = await user.get(replacePath);
    expect(stopped.status).toBe(303);
    const challengePath = stopped.headers.get("Location")!;
    expect(challengePath).toMatch(/^\/__stepgate\/challenge\/[\w-]{22}$/);
    const challengeHtml = await (await user.get(challengePath)).text();
    expect(challengeHtml).toContain("<h1>Confirm changes to your security settings</h1>");
    const verified = await user.post(challengePath, { csrf: field(challengeHtml, "csrf"), factor: "backup_code", code: user.backupCodes[0]! });
    expect(verified.status).toBe(303);
    expect(verified.headers.get("Location")).toBe(replacePath);

    const page = await user.get(replacePath);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("<h1>Replace your authenticator app</h1>");
    expect(html).toContain("Your current app keeps working until you confirm the new one");
    expect(html).toContain('href="/__stepgate/settings"');
    expect(field(html, "replace")).toBe(user.appId);
    const newSecret = /id="secret">([A-Z2-7 ]+)</.exec(html)![1]!.replace(/ /g, "");
    expect(newSecret).not.toBe(user.secret);
    // Reloading shows the same new secret: the app may already have scanned it.
    expect(await (await user.get(replacePath)).text()).toContain(html.match(/id="secret">[^<]+</)![0]);

    // Until the new app is confirmed, the old one is the user's app and answers.
    expect((await user.apps()).map((f) => f.id)).toEqual([user.appId]);
    expect(await user.answers(totpCode(user.secret, user.t0))).toBe(200);

    const form = { csrf: field(html, "csrf"), enrollmentId: field(html, "enrollmentId"), kind: "totp", replace: user.appId };
    const wrong = await user.post("/__stepgate/enroll", { ...form, code: totpCode(user.secret, user.t0 + 30_000) });
    expect(wrong.status).toBe(400);
    const wrongHtml = await wrong.text();
    expect(wrongHtml).toContain("<h1>Replace your authenticator app</h1>");
    expect(wrongHtml).toContain(newSecret.slice(0, 4));

    const done = await user.post("/__stepgate/enroll", { ...form, code: totpCode(newSecret) });
    expect(done.status).toBe(200);
    const doneHtml = await done.text();
    expect(doneHtml).toContain("<h1>Authenticator app replaced</h1>");
    expect(doneHtml).toContain('<a href="/__stepgate/settings">Continue</a>');

    const now = await user.apps();
    expect(now).toHaveLength(1);
    expect(now[0]).toMatchObject({ kind: "totp", id: form.enrollmentId });
    expect(await user.answers(totpCode(user.secret, user.t0 + 30_000))).toBe(400);
    expect(await user.answers(totpCode(newSecret, Date.now() + 30_000))).toBe(200);
    expect(await (await user.get("/__stepgate/settings")).text()).toContain("Factor replaced (Authenticator app)");
  });

  it("leaves the old app when the replacement is abandoned", async () => {
    const user = await anAppUser("abby");
    // The session that enrolled is fresh: the new app's page opens at once.
    const page = await user.get(`/__stepgate/enroll?factor=totp&replace=${user.appId}`, `portal_session=${user.first}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Replace your authenticator app");
    expect((await user.apps()).map((f) => f.id)).toEqual([user.appId]);
    expect(await user.answers(totpCode(user.secret, user.t0))).toBe(200);
    expect(await (await user.get("/__stepgate/settings")).text()).toContain(`name="replace" value="${user.appId}"`);
  });

  it("offers to replace the app on the choice of factors instead of a second one, and sends a request for a second app to the replacement", async () => {
    const user = await anAppUser("cho");
    const choice = await (await user.get("/__stepgate/enroll")).text();
    expect(choice).toContain(
      `<a class="card choice" href="/__stepgate/enroll?factor=totp&amp;replace=${user.appId}"><strong>Replace authenticator app</strong>`,
    );
    expect(choice).toContain("the old one stops working once the new one is confirmed");
    expect(choice).not.toContain('href="/__stepgate/enroll?factor=totp"');
    expect(choice).toContain('href="/__stepgate/enroll?factor=sms"');

    const second = await user.get("/__stepgate/enroll?factor=totp");
    expect(second.status).toBe(303);
    expect(second.headers.get("Location")).toBe(`/__stepgate/enroll?factor=totp&replace=${user.appId}`);
    // The API has no replacement: a second app is refused there as before.
    expect((await postJson(`${user.base}/__stepgate/api/enroll/totp`, user.token, {})).status).toBe(409);
  });

  it("shows the choice (with the replacement) where the app is the only factor offered, instead of sending an enrolled user straight on", async () => {
    const user = await anAppUser("solo", false);
    const choice = await user.get("/__stepgate/enroll");
    expect(choice.status).toBe(200);
    expect(await choice.text()).toContain(`replace=${user.appId}`);
  });

  it("refuses to replace a factor that is not the user's app", async () => {
    const user = await anAppUser("nope");
    const page = await user.get(`/__stepgate/enroll?factor=totp&replace=${"x".repeat(22)}`);
    expect(page.status).toBe(409);
    expect(await page.text()).toContain("That factor is not set up for this account.");
  });
});
