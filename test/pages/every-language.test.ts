/**
 * Every hosted page, in every state a user meets it, the gate's step-up page, the error pages,
 * the admin console's pages, the code messages and the security alerts, rendered through the
 * worker in each language: each says it is in that language, and none has English left in it
 * (beyond brand names, codes and what the tenant or the user wrote).
 */
import { env, runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { LANGUAGES, type Language } from "../../src/config/languages";
import { ALL_MESSAGE_TEXT as MESSAGE_TEXT } from "../../src/factors/message-translations";
import { type Message, placeholdersOf } from "../../src/lib/message-format";
import { ALL_PAGE_TEXT as PAGE_TEXT } from "../../src/pages/i18n/all-languages";
import { userState } from "../../src/state/user";
import { tenantState } from "../../src/state/tenant";
import { aTenantKey, usersSync } from "../support/admin";
import { ADMIN_KEY, adminHeaders, aPolicy, aSession, aTenant, send } from "../support/builders";
import { aConsoleAdmin, type ConsoleAdmin, signedIn } from "../support/console";
import { asRecord, decoded, edited, formFields } from "../support/console-form";
import { SETTINGS_ACTION } from "../support/console-settings";
import { anEvent, until } from "../support/events";
import { expectErrorLogs } from "../support/expected-logs";
import { lockOver, lockRunsOut } from "../support/lockout";
import { lastCodeTo, outbox, timePasses } from "../support/outbox";
import { enrollPasskeyViaApi, verifyWithPasskey } from "../support/passkeys";
import { SoftwareCredential } from "../support/software-authenticator";
import { challengeFor, enrollTotpViaApi, postJson, sessionHeaders, verify } from "../support/step-up";
import { aReceiver, aWebhook, webhooksApi } from "../support/webhooks";
import { fromBase64url } from "../../src/lib/encoding";
import { totpCode, wrongCode } from "../support/totp";

const PHONE = "+14155552671";
const TENANT = "Acme";

/** What a page may show in English whatever its language: brand names, examples, the tenant's and the user's own words. */
const ALLOWED = [TENANT, "Google Authenticator", "Microsoft Authenticator", "1Password", "Authy", "you@example.com", "Chrome", "Android", "iban", "DE00 1234"];

/**
 * Words only English text has (none is a word of the other 14 languages' pages: "code", "app",
 * "email", "message", "error", "use", "valid", "possible", "mobile", "continue" and the like are
 * left out), as whole words in any script (`téléphone` holds no "phone").
 */
const ENGLISH_WORDS =
  /(?<![\p{L}\p{N}_'])(the|your|you|and|with|this|that|is|are|from|not|enter|send|verify|confirm|trust|remove|we|will|been|have|when|what|which|attempts?|wrong|again|try|now|here|sign|trusted|activity|recent|last|used|save|saved|new|shown|kept|submitted|nothing|before|after|instead|get|open|scan|can't|don't|it's|too|many|expired|found|refused|unavailable|temporarily|something|went|left|right|phone|number|address|choose|recommended|each|time|key|lets|lose|safe|somewhere|unknown|removed|added|stop|make|none|yet|ask|asked|expires|share|never|verification)(?![\p{L}\p{N}_'])/giu;

/** English's own sentences, in pieces between placeholders: none may be on another language's page. */
const ENGLISH_PIECES = [...Object.values(PAGE_TEXT.en!), ...Object.values(MESSAGE_TEXT.en!)]
  .flatMap((message: Message) => (typeof message === "string" ? [message] : Object.values(message)))
  .flatMap((text) => text!.split(/\{\w+\}/))
  .map((piece) => piece.trim())
  .filter((piece) => piece.split(/\s+/).filter((word) => /^[A-Za-z']{3,}$/.test(word)).length >= 2);

/** The tenant a journey walks: 2FA required, every factor offered, a withdrawal bound to its IBAN, the second lockout until an admin unlocks. */
function journeyPolicy() {
  return aPolicy({
    enforcement: "required",
    lockout: { maxTemporaryLockouts: 1 },
    branding: { name: TENANT },
    factors: { sms: { enabled: true }, email: { enabled: true }, webauthn: { enabled: true } },
    operations: { withdraw: { routes: ["POST /echo/withdraw"], maxAge: 0, display: ["iban"] } },
  });
}

/** What a reader sees of the page: its text and the attributes read out or shown, less the menu of language names, the QR code, the secret, the codes and the scripts. */
function visibleText(html: string): string {
  const page = html
    .replace(/<nav class="languages"[\s\S]*?<\/nav>/, "")
    .replace(/<(style|script|svg|code)[\s\S]*?<\/\1>/g, "")
    .replace(/<ol class="codes"[\s\S]*?<\/ol>/g, "")
    // The authenticator app's secret, in blocks of four random letters ("SAFE" is one now and then).
    .replace(/<p class="secret"[\s\S]*?<\/p>/g, "")
    // A new API key's secret, random letters too, in its read-only field.
    .replace(/<input[^>]*id="new-key"[^>]*>/g, "");
  const attributes = [...page.matchAll(/\b(?:aria-label|placeholder|alt|title)="([^"]*)"/g)].map((m) => m[1]);
  let text = decoded(`${page.replace(/<[^>]+>/g, " ")} ${attributes.join(" ")}`);
  for (const allowed of ALLOWED) text = text.replaceAll(allowed, " ");
  return text.replace(/\s+/g, " ");
}

/** The English found in `text`: English words, or pieces of English's sentences. */
function englishIn(text: string): string[] {
  return [...new Set([...(text.match(ENGLISH_WORDS) ?? []), ...ENGLISH_PIECES.filter((piece) => text.includes(piece))])];
}

function field(html: string, name: string): string {
  const match = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  expect(match, `form field ${name}`).not.toBeNull();
  return decoded(match![1]!);
}

/**
 * A user's way through the pages in `language` (chosen in the menu, then kept in the cookie): a
 * passkey's page (and a passkey refused), enrol a phone (a wrong number, the page asking for the
 * code sent, a resend too soon), then an email address, then a passkey; a form stopped for
 * approval that cannot be held (an upload); the challenge by each factor (a passkey refused), a
 * code sent, another challenge while no code may be sent yet, wrong codes to the lockout and,
 * after it ran out, to the lock until an admin unlocks; the
 * settings with a trusted device; a user of passkeys (their settings, a refused name, removing
 * one, and each passkey event in the activity); the error pages; the security alerts of it all;
 * and the dev outbox. Returns each page's HTML by name, and the messages sent.
 */
async function journey(language: Language): Promise<{ pages: Array<[string, Response, string]>; messages: string[] }> {
  const { base, tenantId } = await aTenant(journeyPolicy());
  const user = `user-${language}`;
  const cookie = `portal_session=${await aSession({ sub: user, sid: `${user}-1` })}; __Host-stepgate-lang=${language}`;
  const page = { Accept: "text/html", Cookie: cookie };
  const pages: Array<[string, Response, string]> = [];
  const keep = async (name: string, response: Response) => {
    const html = await response.text();
    pages.push([name, response, html]);
    return html;
  };
  const get = (path: string, headers: Record<string, string> = page) => send(`${base}${path}`, { headers });
  const post = (path: string, fields: Record<string, string>, headers: Record<string, string> = page) =>
    send(`${base}${path}`, {
      method: "POST",
      headers: { ...headers, Origin: base, "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields).toString(),
    });

  // A held form goes straight to its challenge; the gate's own page is for a form it cannot hold.
  const upload = () => {
    const form = new FormData();
    form.append("iban", "DE00 1234");
    form.append("proof", new File(["receipt"], "receipt.txt", { type: "text/plain" }));
    return send(`${base}/echo/withdraw`, { method: "POST", headers: page, body: form });
  };
  await keep("step-up required, enrol first", await upload());
  await keep("enrol: choose", await get(`/__stepgate/enroll?lang=${language}`));
  const passkeyPage = await keep("enrol: passkey", await get("/__stepgate/enroll?factor=webauthn"));
  const refusedPasskey = await post("/__stepgate/enroll/webauthn", {
    csrf: field(passkeyPage, "csrf"),
    enrollmentId: field(passkeyPage, "enrollmentId"),
    response: "{}",
  });
  expect(refusedPasskey.status).toBe(400);
  await keep("enrol: passkey, refused", refusedPasskey);
  const totp = await keep("enrol: authenticator app", await get("/__stepgate/enroll?factor=totp"));
  const csrf = field(totp, "csrf");
  const secret = /id="secret">([A-Z2-7 ]+)</.exec(totp)![1]!.replace(/ /g, "");
  await keep(
    "enrol: authenticator app, wrong code",
    await post("/__stepgate/enroll", { csrf, enrollmentId: field(totp, "enrollmentId"), kind: "totp", code: wrongCode(secret) }),
  );
  await keep("enrol: phone", await get("/__stepgate/enroll?factor=sms"));
  await keep("enrol: phone, not a number", await post("/__stepgate/enroll/sms", { csrf, address: "12" }));
  expect((await post("/__stepgate/enroll/sms", { csrf, address: PHONE })).status).toBe(303);
  const sent = await keep("enrol: phone, code sent", await get("/__stepgate/enroll?factor=sms"));
  // The code is asked for, with the wait before another and a way to give another number.
  expect(sent).toContain("data-countdown=");
  expect(sent).toContain("change=1");
  const enrollment = { csrf, enrollmentId: field(sent, "enrollmentId") };
  await keep("enrol: phone, resent too soon", await post("/__stepgate/enroll/sms/resend", enrollment));
  const codes = await keep("enrol: backup codes", await post("/__stepgate/enroll", { ...enrollment, kind: "sms", code: await lastCodeTo(base, PHONE) }));
  for (const id of ["download-codes", "copy-codes", "print-codes", "codes-copied"]) expect(codes).toContain(`id="${id}"`);
  await keep("enrol: email", await get("/__stepgate/enroll?factor=email"));
  const address = `${user.toLowerCase()}@acme.test`;
  expect((await post("/__stepgate/enroll/email", { csrf, address })).status).toBe(303);
  const mailed = await keep("enrol: email, code sent", await get("/__stepgate/enroll?factor=email"));
  await keep(
    "enrol: factor added",
    await post("/__stepgate/enroll", { csrf, enrollmentId: field(mailed, "enrollmentId"), kind: "email", code: await lastCodeTo(base, address) }),
  );
  const passkey = await SoftwareCredential.create("ES256");
  const creating = await get("/__stepgate/enroll?factor=webauthn");
  expect(creating.status).toBe(200);
  const creation = await creating.text();
  const created = await post("/__stepgate/enroll/webauthn", {
    csrf,
    enrollmentId: field(creation, "enrollmentId"),
    response: JSON.stringify(await passkey.register(await ceremonyOf(creation, base))),
  });
  expect(created.status).toBe(200);

  await timePasses(tenantId, user, 31_000);
  await keep("step-up required", await upload());
  const challenge = (await post("/echo/withdraw", { iban: "DE00 1234" })).headers.get("Location")!;
  expect(challenge).toMatch(/^\/__stepgate\/challenge\/[\w-]{22}$/);
  const passkeyChallenge = await keep("challenge: passkey", await get(challenge));
  expect(passkeyChallenge).toContain('data-passkey="get"');
  const stranger = await SoftwareCredential.create("ES256");
  const refusedAnswer = await post(challenge, {
    csrf,
    factor: "webauthn",
    response: JSON.stringify(await stranger.assert(await ceremonyOf(passkeyChallenge, base))),
  });
  expect(refusedAnswer.status).toBe(400);
  await keep("challenge: passkey refused", refusedAnswer);
  await keep("challenge: text message", await get(`${challenge}?factor=sms`));
  await keep("challenge: email", await get(`${challenge}?factor=email`));
  await keep("challenge: backup code", await get(`${challenge}?factor=backup_code`));
  expect((await post(`${challenge}/send`, { csrf, factor: "sms" })).status).toBe(303);
  await keep("challenge: code sent", await get(`${challenge}?factor=sms`));
  await keep("challenge: sent too soon", await post(`${challenge}/send`, { csrf, factor: "sms" }));
  const another = (await post("/echo/withdraw", { iban: "DE00 1234" })).headers.get("Location")!;
  expect(await keep("challenge: another, a code may be sent soon", await get(`${another}?factor=sms`))).toContain("data-countdown=");
  // The same challenge as the SPA client shows it in its dialog, and the page it ends on.
  expect(await keep("challenge: in the SPA client's dialog", await get(`${another}?factor=sms&embed=dialog`))).toContain('id="embed-cancel"');
  await keep("challenge: finished in the SPA client's dialog", await get(`${another}/finished`));
  await keep("challenge: wrong code", await post(challenge, { csrf, factor: "backup_code", code: "aaaaa-aaaaa" }));
  let locked: Response | undefined;
  for (let i = 0; i < 5 && locked?.status !== 429; i++) locked = await post(challenge, { csrf, factor: "backup_code", code: "aaaaa-aaaaa" });
  await keep("challenge: locked", locked!);
  // The lock runs out; the next one is the second: until an admin unlocks.
  await lockRunsOut(tenantId, user);
  let lockedUntilUnlock: Response | undefined;
  for (let i = 0; i < 5 && lockedUntilUnlock?.status !== 423; i++)
    lockedUntilUnlock = await post(challenge, { csrf, factor: "backup_code", code: "aaaaa-aaaaa" });
  expect(lockedUntilUnlock!.status).toBe(423);
  await keep("challenge: locked until an admin unlocks", lockedUntilUnlock!);

  await userState(env, tenantId, user).trustDevice({
    name: "Chrome on Android",
    days: 30,
    max: 5,
    origin: { ip: "203.0.113.9", userAgent: null },
    provedAt: Date.now(),
  });
  const settings = await keep("settings", await get("/__stepgate/settings"));
  const device = /action="(\/__stepgate\/settings\/devices\/[\w-]+\/revoke)"/.exec(settings)![1]!;
  await keep("settings: device removed", await post(device, { csrf }));

  // A user of an authenticator app: offered to replace it, replacing it, and their activity
  // naming what was confirmed with which factor, and where.
  const appToken = await aSession({ sub: `${user}-app`, sid: `${user}-app-1` });
  const { backupCodes } = await enrollTotpViaApi(base, appToken);
  const app = { Accept: "text/html", Cookie: `portal_session=${appToken}; __Host-stepgate-lang=${language}` };
  await keep("enrol: choose, with an authenticator app", await get("/__stepgate/enroll", app));
  const replacePath = (await get("/__stepgate/enroll?factor=totp", app)).headers.get("Location")!;
  const replacing = await keep("enrol: replace the authenticator app", await get(replacePath, app));
  const newSecret = /id="secret">([A-Z2-7 ]+)</.exec(replacing)![1]!.replace(/ /g, "");
  const replaceForm = { csrf: field(replacing, "csrf"), enrollmentId: field(replacing, "enrollmentId"), kind: "totp", replace: field(replacing, "replace") };
  await keep("enrol: replace, wrong code", await post("/__stepgate/enroll", { ...replaceForm, code: wrongCode(newSecret) }, app));
  await keep("enrol: authenticator app replaced", await post("/__stepgate/enroll", { ...replaceForm, code: totpCode(newSecret) }, app));
  const verifyFrom = async (factor: string, code: string, cf: Record<string, string>) =>
    send(`${base}/__stepgate/api/challenges/${await challengeFor(`${base}/echo/withdraw`, appToken, { iban: "DE00 1234" })}/verify`, {
      method: "POST",
      headers: sessionHeaders(appToken, { "CF-Connecting-IP": "203.0.113.9" }),
      body: JSON.stringify({ factor, code }),
      cf,
    } as RequestInit);
  expect((await verifyFrom("backup_code", backupCodes[0]!, { city: "Berlin", country: "DE" })).status).toBe(200);
  expect((await verifyFrom("totp", totpCode(newSecret, Date.now() + 30_000), { country: "JP" })).status).toBe(200);
  await keep("settings: activity", await get("/__stepgate/settings", app));

  // A user of passkeys, in a tenant that allows them: one used, refused, refused as a copy, renamed.
  const keys = await aTenant(
    aPolicy({
      enforcement: "optional",
      branding: { name: TENANT },
      factors: { webauthn: { enabled: true } },
      operations: { withdraw: { routes: ["POST /echo/withdraw"], maxAge: 0 } },
    }),
  );
  const keysToken = await aSession({ sub: `${user}-keys`, sid: `${user}-keys-1` });
  const keysPage = { Accept: "text/html", Cookie: `portal_session=${keysToken}; __Host-stepgate-lang=${language}` };
  const onKeys = (path: string, fields?: Record<string, string>) =>
    fields
      ? send(`${keys.base}${path}`, {
          method: "POST",
          headers: { ...keysPage, Origin: keys.base, "Content-Type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams(fields).toString(),
        })
      : send(`${keys.base}${path}`, { headers: keysPage });
  const keysPasskey = await SoftwareCredential.create("ES256");
  const { factorId } = await enrollPasskeyViaApi(keys.base, keysToken, keysPasskey);
  const withdrawal = () => challengeFor(`${keys.base}/echo/withdraw`, keysToken);
  expect((await verifyWithPasskey(keys.base, keysToken, await withdrawal(), keysPasskey)).status).toBe(200);
  expect((await verifyWithPasskey(keys.base, keysToken, await withdrawal(), keysPasskey, { origin: "https://evil.test" })).status).toBe(400);
  keysPasskey.counter = 0;
  expect((await verifyWithPasskey(keys.base, keysToken, await withdrawal(), keysPasskey)).status).toBe(400);
  const keysCsrf = field(await keep("settings: passkeys", await onKeys("/__stepgate/settings")), "csrf");
  await keep("settings: passkey name refused", await onKeys(`/__stepgate/settings/factors/${factorId}/rename`, { csrf: keysCsrf, name: "" }));
  await keep("settings: passkey renamed", await onKeys(`/__stepgate/settings/factors/${factorId}/rename`, { csrf: keysCsrf, name: "Laptop" }));
  await keep("settings: remove a passkey", await onKeys(`/__stepgate/settings/factors/${factorId}/remove`));

  await keep("error: no such challenge", await get(`/__stepgate/challenge/${"x".repeat(22)}`));
  await keep("error: form from elsewhere", await post(challenge, { csrf: "forged", factor: "sms", code: "123456" }));
  await keep("error: signed out", await get("/__stepgate/enroll", { Accept: "text/html", Cookie: `__Host-stepgate-lang=${language}` }));
  const down = await aTenant(aPolicy({ origin: env.DEAD_ORIGIN, branding: { name: TENANT } }));
  expectErrorLogs();
  await keep("error: portal down", await send(`${down.base}/`, { headers: { Accept: "text/html", Cookie: `__Host-stepgate-lang=${language}` } }));

  // The security alerts of what the user did (factors added, locked twice, a device trusted),
  // by text while a phone was their one address, then by email: in the outbox with the codes.
  await runDurableObjectAlarm(userState(env, tenantId, user));
  await until(async () => (await outbox(base)).filter((m) => m.code === null).length >= 6, "the user's security alerts");
  await keep("dev outbox", await get("/__stepgate/dev/outbox"));
  await keep("dev outbox, filtered to no one", await get("/__stepgate/dev/outbox?to=nobody"));

  const messages = (await outbox(base)).flatMap((m) => [m.subject ?? "", m.text]);
  return { pages, messages };
}

/**
 * The admin console in `language` (chosen by the language cookie), signed in with the bootstrap
 * key: the security settings form, a refused save, a save, another admin's change met on saving,
 * and the form read-only for an admin who may only view it. Returns each page by name.
 */
async function consoleSettingsJourney(language: Language): Promise<Array<[string, Response, string]>> {
  const { base, tenantId } = await aTenant(journeyPolicy());
  const pages: Array<[string, Response, string]> = [];
  const keep = async (name: string, response: Response) => {
    const html = await response.text();
    pages.push([name, response, html]);
    return html;
  };
  const admin = await signedIn(base, tenantId, ADMIN_KEY);
  const inLanguage = { Cookie: `${admin.cookie}; __Host-stepgate-lang=${language}` };
  const loaded = formFields(await keep("console: security settings", await admin.get("/settings", inLanguage)), SETTINGS_ACTION);
  const refused = await admin.post("/settings", asRecord(edited(loaded, { "lockout.lockSeconds": "-5", "branding.color": "blue" })), inLanguage);
  expect(refused.status).toBe(422);
  await keep("console: security settings refused", refused);
  expect((await admin.post("/settings", asRecord(edited(loaded, { "lockout.maxAttempts": "6" })), inLanguage)).status).toBe(303);
  await keep("console: security settings saved", await admin.get("/settings?saved", inLanguage));
  const conflict = await admin.post("/settings", asRecord(edited(loaded, { "sendLimits.perUserPerHour": "9" })), inLanguage);
  expect(conflict.status).toBe(409);
  await keep("console: security settings changed meanwhile", conflict);
  const viewer = await signedIn(base, tenantId, (await aTenantKey(base, ["policy:read"])).key);
  await keep("console: security settings read-only", await viewer.get("/settings", { Cookie: `${viewer.cookie}; __Host-stepgate-lang=${language}` }));
  return pages;
}

/** The ceremony a passkey page's options ask the browser for, on the tenant's origin. */
async function ceremonyOf(html: string, origin: string) {
  const options = JSON.parse(decoded(/data-options="([^"]*)"/.exec(html)![1]!)) as { challenge: string; rp?: { id: string }; rpId?: string };
  return { challenge: fromBase64url(options.challenge), origin, rpId: options.rp?.id ?? options.rpId! };
}

/**
 * An admin's way through the console in `language` (kept in the language cookie): the users
 * page (with users, filtered to none, a refused filter), a user's page (factors, a trusted
 * device, a lockout, their activity, a notice), a user locked until an admin unlocks (their page,
 * the users filtered to them), the reset confirmation, the requirement form
 * refused, a user not found, and a user's page for an admin who may only read.
 */
async function consoleJourney(language: Language): Promise<Array<[string, Response, string]>> {
  const admin = await aConsoleAdmin({
    branding: { name: TENANT },
    operations: { login: { routes: ["* /*"], maxAge: 3600 } },
    trustedDevices: { enabled: true, days: 30, max: 5 },
    lockout: { maxAttempts: 2, windowSeconds: 900, lockSeconds: 900, maxTemporaryLockouts: 1 },
  });
  const ann = await aSession({ sub: "ann", email: "ann@acme.test" });
  expect((await send(`${admin.base}/echo/home`, { headers: { Cookie: `portal_session=${ann}` } })).status).toBe(200);
  const { backupCodes } = await enrollTotpViaApi(admin.base, ann);
  const challenge = await challengeFor(`${admin.base}/echo/home`, ann, {});
  await postJson(`${admin.base}/__stepgate/api/challenges/${challenge}/verify`, ann, { factor: "backup_code", code: backupCodes[0], trustDevice: true });
  const locking = await challengeFor(`${admin.base}/echo/home`, ann, {});
  for (let i = 0; i < 2; i++) await verify(admin.base, ann, locking, "totp", "000000");
  await send(`${admin.base}/echo/home`, { headers: { Cookie: `portal_session=${await aSession({ sub: "ben" })}` } });
  const cy = await aSession({ sub: "cy" });
  await enrollTotpViaApi(admin.base, cy);
  await lockOver(admin, { sub: "cy", token: cy }, { locks: 2, maxAttempts: 2, path: "/echo/home" });
  await usersSync(admin.tenantId, "ann", "ben", "cy");
  await admin.post("/users/ann/requirement", { required: "require" });

  const chosen = (cookie: string) => ({ Cookie: `${cookie}; __Host-stepgate-lang=${language}` });
  const pages: Array<[string, Response, string]> = [];
  const keep = async (name: string, response: Response) => {
    pages.push([name, response, await response.text()]);
  };
  const page = (path: string) => admin.get(path, chosen(admin.cookie));
  await keep("console: users", await page("/users"));
  await keep("console: users, none match", await page("/users?status=pending"));
  await keep("console: users, a refused filter", await page("/users?status=gone&cursor=x"));
  await keep("console: a user", await page("/users/ann?done=requirement"));
  await keep("console: a user, reset", await page("/users/ben?done=reset"));
  await keep("console: a user locked until an admin unlocks", await page("/users/cy"));
  await keep("console: users locked until an admin unlocks", await page("/users?status=locked_until_unlock"));
  await keep("console: reset, confirm", await page("/users/ann/reset"));
  await keep("console: requirement refused", await admin.post("/users/ann/requirement", { required: "maybe" }, chosen(admin.cookie)));
  await keep("console: user not found", await page("/users/ghost"));
  const reader = await signedIn(admin.base, admin.tenantId, (await aTenantKey(admin.base, ["users:read"])).key);
  await keep("console: a user, read only", await reader.get("/users/ann", chosen(reader.cookie)));
  for (const [name, response] of await consoleActivityAndHistory(language)) await keep(name, response);
  return pages;
}

/**
 * The console's Activity and History pages in `language`: the trail filtered (each event in
 * words), filters refused beside their fields, the settings' versions (a secret among them),
 * read-only for an admin who may not restore, a restore's confirmation, the same after a change
 * made meanwhile, and the notice of a restore done.
 */
async function consoleActivityAndHistory(language: Language): Promise<Array<[string, Response]>> {
  const admin = await aConsoleAdmin({ branding: { name: TENANT } });
  const lang = `; __Host-stepgate-lang=${language}`;
  const get = (path: string, who = admin) => who.get(path, { Cookie: `${who.cookie}${lang}` });
  const post = (path: string, fields: Record<string, string>) => admin.post(path, fields, { Cookie: `${admin.cookie}${lang}` });
  const patch = async (body: unknown) => {
    const etag = (await send(`${admin.base}/__stepgate/admin/v1/policy`, { headers: adminHeaders() })).headers.get("ETag")!;
    const response = await send(`${admin.base}/__stepgate/admin/v1/policy`, {
      method: "PATCH",
      headers: adminHeaders({ "If-Match": etag, "Content-Type": "application/merge-patch+json" }),
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(200);
  };
  const events = ["verify.ok", "verify.failed", "code.sent", "lockout.started", "backup_code.used"].map((type, i) =>
    anEvent(admin.tenantId, "kim", { at: new Date(Date.now() - i * 60_000).toISOString(), type, userAgent: null, detail: { factor: "totp" } }),
  );
  await tenantState(env, admin.tenantId).storeEvents(admin.tenantId, events);
  await patch({
    enforcement: "required",
    factors: {
      email: { enabled: true, provider: "smtp", host: "smtp.example.test", port: 465, secure: true, from: "a@example.test", username: "u", password: "p4ss" },
    },
  });
  await patch({ lockout: { maxAttempts: 4 } });
  const pages: Array<[string, Response]> = [
    ["console: activity", await get("/activity")],
    ["console: activity, filtered", await get("/activity?type=verify.*&user=kim&from=2026-01-01T10:00&zone=UTC")],
    ["console: activity, refused filters", await get("/activity?type=DROP&user=&from=soon&until=later")],
    ["console: activity, until before from", await get("/activity?from=2026-01-02T10:00&until=2026-01-01T10:00")],
    ["console: history", await get("/history")],
    ["console: history, restored", await get("/history?restored=1")],
  ];
  const confirm = await get("/history/1/restore");
  const html = await confirm.clone().text();
  pages.push(["console: restore", confirm]);
  await patch({ lockout: { maxAttempts: 3 } });
  const stale = await post("/history/1/restore", { csrf: /name="csrf" value="([^"]+)"/.exec(html)![1]!, etag: '"stale"' });
  expect(stale.status).toBe(409);
  pages.push(["console: restore, changed meanwhile", stale]);
  const reader = await signedIn(admin.base, admin.tenantId, (await aTenantKey(admin.base, ["policy:read"])).key);
  pages.push(["console: history, read-only", await get("/history", reader)]);
  return pages;
}

/**
 * The console's API keys in `language` (a journey of its own, beside the user's: that one is
 * long already), for an admin signed in with a key that holds some
 * scopes: the list (a stronger key out of their reach, the scopes they lack disabled), the form
 * refused (nothing filled in; a scope beyond theirs), a key made (its secret shown once), a
 * revocation refused and one confirmed, and the notice after it.
 */
async function consoleKeysJourney(language: Language): Promise<Array<[string, Response, string]>> {
  const { base, tenantId } = await aTenant(aPolicy({ branding: { name: TENANT } }));
  const stronger = await aTenantKey(base, ["users:read", "policy:write"], "bot-1");
  const admin = await signedIn(base, tenantId, (await aTenantKey(base, ["keys:write", "users:read"], "ops-2")).key);
  const inLanguage = { Cookie: `${admin.cookie}; __Host-stepgate-lang=${language}` };
  const csrf = await admin.csrf();
  const pages: Array<[string, Response, string]> = [];
  const keep = async (name: string, response: Response) => {
    const html = await response.text();
    pages.push([name, response, html]);
    return html;
  };
  await keep("console: API keys", await admin.get("/keys", inLanguage));
  await keep("console: API key refused", await admin.post("/keys", { csrf, name: "", scopes: [] }, inLanguage));
  await keep("console: API key beyond the admin's scopes", await admin.post("/keys", { csrf, name: "ci-3", scopes: ["policy:write"] }, inLanguage));
  const created = await keep("console: API key created", await admin.post("/keys", { csrf, name: "ci-3", scopes: ["users:read"] }, inLanguage));
  const id = /id="new-key"[^>]*value="sgk_([0-9a-f]{16})_/.exec(created)![1]!;
  await keep("console: API key out of reach", await admin.get(`/keys/${stronger.id}/revoke`, inLanguage));
  await keep("console: revoke an API key", await admin.get(`/keys/${id}/revoke`, inLanguage));
  const revoked = await admin.post(`/keys/${id}/revoke`, { csrf }, inLanguage);
  expect(revoked.status).toBe(303);
  await keep("console: API key revoked", await admin.get(`/keys?revoked=${id}`, inLanguage));
  return pages;
}

/**
 * The console's webhooks in `language`, for an admin signed in with a key holding
 * `webhooks:write`: the list (a webhook delivered to, one whose receiver cannot be reached, one
 * turned off because its receiver is gone), the add form refused in each way, a webhook added
 * (its secret shown once) and refused past the limit, a webhook's page (its deliveries, a timeout
 * and a refused address among them; saved, unchanged, tested, a refused change), a new secret,
 * the page while the old one still signs, the confirmation of a deletion and the notice after it.
 */
async function consoleWebhooksJourney(language: Language): Promise<Array<[string, Response, string]>> {
  const { base, tenantId } = await aTenant(aPolicy({ branding: { name: TENANT } }));
  const admin = await signedIn(base, tenantId, (await aTenantKey(base, ["webhooks:write"], "ops-3")).key);
  const inLanguage = { Cookie: `${admin.cookie}; __Host-stepgate-lang=${language}` };
  const csrf = await admin.csrf();
  const pages: Array<[string, Response, string]> = [];
  const keep = async (name: string, response: Response, status = 200) => {
    const html = await response.text();
    expect(response.status, `${name}: ${html.slice(0, 200)}`).toBe(status);
    pages.push([name, response, html]);
    return html;
  };
  const attempts = async (id: string) => (await (await webhooksApi(base, "GET", `/webhooks/${id}/deliveries`)).json<{ deliveries: unknown[] }>()).deliveries;
  const live = await aWebhook(base, await aReceiver(), ["verify.*", "lockout.started", "fraud.flagged"]);
  const gone = await aWebhook(base, await aReceiver(), ["*"], { status: 410 });
  const unreachable = await (await webhooksApi(base, "POST", "/webhooks", { url: `${env.DEAD_ORIGIN}/hook`, eventTypes: ["*"] })).json<{ id: string }>();
  for (const { id } of [live, gone, unreachable]) await webhooksApi(base, "POST", `/webhooks/${id}/test`);
  for (const { id } of [live, gone, unreachable]) await until(async () => (await attempts(id)).length > 0, "a delivery attempt");
  // What the consumer records when a receiver is too slow, or when a stored address is refused at delivery.
  for (const error of ["timeout", "destination refused: 10.0.0.1 is a private address; stepgate connects only to public hosts"]) {
    await tenantState(env, tenantId).recordWebhookAttempts([
      {
        webhookId: live.id,
        eventId: "p-00-1",
        type: "webhook.test",
        attempt: 3,
        status: null,
        error,
        durationMs: 10_000,
      },
    ]);
  }

  const list = await keep("console: webhooks", await admin.get("/webhooks", inLanguage));
  expect(list.match(/<tr data-webhook=/g)).toHaveLength(3);
  const add = (fields: Record<string, string | string[]>) => admin.post("/webhooks", { csrf, ...fields }, inLanguage);
  await keep("console: webhook refused, nothing filled in", await add({ url: "", more: "" }), 422);
  await keep("console: webhook refused, private address", await add({ url: "https://10.0.0.7/hook", more: "Verify.Failed", description: "\u0007" }), 422);
  await keep("console: webhook refused, local name", await add({ url: "https://metadata.internal/", eventTypes: ["*"] }), 422);
  await keep("console: webhook refused, no scheme", await add({ url: "hooks.example.com", eventTypes: ["*"] }), 422);
  await keep("console: webhook refused, credentials", await add({ url: "https://ops:pw@hooks.example.com/", eventTypes: ["*"] }), 422);
  const tooMany = Array.from({ length: 21 }, (_, i) => `custom.type_${i}`).join(" ");
  await keep("console: webhook refused, too many types", await add({ url: "https://hooks.example.com/", more: tooMany }), 422);
  const created = await keep("console: webhook added", await add({ url: "https://hooks.example.com/a", eventTypes: ["lockout.*"], enabled: "on" }));
  const id = /href="\/__stepgate\/admin\/webhooks\/(wh_[0-9a-f]{16})"/.exec(created)![1]!;

  const page = (path: string) => admin.get(path, inLanguage);
  const deliveries = await keep("console: a webhook and its deliveries", await page(`/webhooks/${live.id}`));
  expect(deliveries.match(/<tr data-event=/g)).toHaveLength(3);
  // Past the tenant's 10 test events a minute (3 sent above): refused beside the button.
  for (let i = 0; i < 7; i++) expect((await webhooksApi(base, "POST", `/webhooks/${live.id}/test`)).status).toBe(202);
  await keep("console: a webhook, test event refused", await admin.post(`/webhooks/${live.id}/test`, { csrf }, inLanguage), 429);
  await keep("console: a webhook, saved", await page(`/webhooks/${id}?done=saved`));
  await keep("console: a webhook, unchanged", await page(`/webhooks/${id}?done=unchanged`));
  await keep("console: a webhook, tested", await page(`/webhooks/${id}?done=tested`));
  await keep("console: a webhook, change refused", await admin.post(`/webhooks/${id}`, { csrf, url: "https://192.168.0.1/", eventTypes: [] }, inLanguage), 422);
  await keep("console: a webhook's new secret", await admin.post(`/webhooks/${id}/rotate`, { csrf }, inLanguage));
  await keep("console: a webhook, the old secret still signing", await page(`/webhooks/${id}`));
  await keep("console: delete a webhook", await page(`/webhooks/${id}/delete`));
  expect((await admin.post(`/webhooks/${id}/delete`, { csrf }, inLanguage)).status).toBe(303);
  await keep("console: webhook deleted", await page("/webhooks?deleted"));
  for (let i = 0; i < 17; i++) await webhooksApi(base, "POST", "/webhooks", { url: `https://hooks.example.com/${i}`, eventTypes: ["*"] });
  await keep("console: webhook refused, the most a tenant may have", await add({ url: "https://hooks.example.com/b", eventTypes: ["*"] }), 409);
  return pages;
}

/**
 * A tenant with undelivered events, made once for every language (its pages are only read): a
 * device trusted whose webhook delivery failed every attempt (the endpoint's last answer kept)
 * and whose security alert could not be sent (its SMTP server down: nothing kept).
 */
let undelivered: Promise<{ base: string; tenantId: string }> | undefined;

function anUndeliveringTenant(): Promise<{ base: string; tenantId: string }> {
  undelivered ??= (async () => {
    const down = { provider: "smtp" as const, host: "127.0.0.1", port: Number(new URL(env.DEAD_ORIGIN).port), secure: false, from: "s@acme.test" };
    const { base, tenantId } = await aTenant(aPolicy({ branding: { name: TENANT }, factors: { email: { ...down } } }));
    await aWebhook(base, await aReceiver(), ["*"], { status: 500 });
    await userState(env, tenantId, "xan").status(undefined, "xan@acme.test");
    expectErrorLogs();
    await env.EVENTS.send(anEvent(tenantId, "xan", { type: "device.trusted" }), { contentType: "json" });
    const dead = async () => (await (await send(`${base}/__stepgate/admin/v1/events/dead`, { headers: adminHeaders() })).json<{ events: unknown[] }>()).events;
    // Three attempts each, a second and two apart: on a loaded machine, well past the usual wait.
    await until(async () => (await dead()).length >= 2, "the webhook delivery and the alert in the dead letters", 45_000);
    return { base, tenantId };
  })();
  return undelivered;
}

/**
 * The console's undelivered events in `language`: the list (a webhook delivery with its
 * endpoint's answer, an alert with nothing kept), the notices after a replay and a replay of one
 * no longer there, a page link that is not one, the list for an admin who may read it but not
 * send these again, and the list with nothing waiting.
 */
async function consoleDeadLettersJourney(language: Language): Promise<Array<[string, Response, string]>> {
  const { base, tenantId } = await anUndeliveringTenant();
  const admin = await signedIn(base, tenantId, ADMIN_KEY);
  const reader = await signedIn(base, tenantId, (await aTenantKey(base, ["audit:read"])).key);
  const empty = await aConsoleAdmin({ branding: { name: TENANT } });
  const pages: Array<[string, Response, string]> = [];
  const keep = async (name: string, who: ConsoleAdmin, path: string) => {
    const response = await who.get(path, { Cookie: `${who.cookie}; __Host-stepgate-lang=${language}` });
    pages.push([name, response, await response.text()]);
  };
  await keep("console: undelivered events", admin, "/dead-letters");
  await keep("console: undelivered events, sent again", admin, "/dead-letters?replayed");
  await keep("console: undelivered events, no longer waiting", admin, "/dead-letters?gone");
  await keep("console: undelivered events, a page link that is not one", admin, "/dead-letters?cursor=x");
  await keep("console: undelivered events, read only", reader, "/dead-letters");
  await keep("console: undelivered events, none", empty, "/dead-letters");
  return pages;
}

/** A journey walks some 40 pages; on a loaded machine that outlasts the default test timeout. */
const JOURNEY_TIMEOUT_MS = 60_000;

describe("every page in every language", () => {
  // The languages not translated yet are named by the catalogue test.
  it.each(LANGUAGES.filter((language) => language !== "en" && PAGE_TEXT[language]))(
    "leaves no English on a page or in a message in %s",
    async (language) => {
      const { pages, messages } = await journey(language);
      expect(pages.length).toBeGreaterThan(25);
      const found: string[] = [];
      for (const [name, response, html] of pages) {
        expect(response.headers.get("Content-Type"), name).toMatch(/^text\/html/);
        expect(html, name).toContain(`<html lang="${language}" dir="${language === "ar" ? "rtl" : "ltr"}">`);
        for (const english of englishIn(visibleText(html))) found.push(`${name}: ${english}`);
      }
      for (const text of messages) for (const english of englishIn(text.replace(/\d{6}/g, "").replaceAll(TENANT, ""))) found.push(`message: ${english}`);
      expect(found).toEqual([]);
    },
    JOURNEY_TIMEOUT_MS,
  );

  it(
    "finds the English it looks for (the same journey in English)",
    async () => {
      const { pages, messages } = await journey("en");
      for (const [name, , html] of pages) expect(englishIn(visibleText(html)).length, name).toBeGreaterThan(0);
      for (const text of messages.filter(Boolean)) expect(englishIn(text).length, text).toBeGreaterThan(0);
      // What the English pages say is what the checks look for: the pieces come from the catalogues.
      expect(ENGLISH_PIECES.length).toBeGreaterThan(100);
      expect(placeholdersOf(PAGE_TEXT.en!["challenge.title"])).toEqual(["operation"]);
    },
    JOURNEY_TIMEOUT_MS,
  );
});

/** The console's journeys, each its own test per language: its sections and their pages, by name. */
const CONSOLE_JOURNEYS: ReadonlyArray<[string, (language: Language) => Promise<Array<[string, Response, string]>>]> = [
  ["users, activity and history", consoleJourney],
  ["security settings", consoleSettingsJourney],
  ["API keys", consoleKeysJourney],
  ["webhooks", consoleWebhooksJourney],
  ["undelivered events", consoleDeadLettersJourney],
];

describe.each(CONSOLE_JOURNEYS)("the admin console's %s in every language", (_section, walk) => {
  it.each(LANGUAGES.filter((language) => PAGE_TEXT[language]))(
    "speaks only %s on its pages (and English is found where it is expected)",
    async (language) => {
      const found: string[] = [];
      for (const [name, response, html] of await walk(language)) {
        expect(response.headers.get("Content-Type"), name).toMatch(/^text\/html/);
        expect(html, name).toContain(`<html lang="${language}" dir="${language === "ar" ? "rtl" : "ltr"}">`);
        const english = englishIn(visibleText(html));
        // In English the check must find what it looks for, or it would pass anything.
        if (language === "en") expect(english.length, name).toBeGreaterThan(0);
        else for (const words of english) found.push(`${name}: ${words}`);
      }
      expect(found).toEqual([]);
    },
    JOURNEY_TIMEOUT_MS,
  );
});
