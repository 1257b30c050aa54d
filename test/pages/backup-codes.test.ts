/**
 * The backup codes page, as the worker serves it: the codes as a text file to download (a
 * `data:` link, named for the portal, headed in the page's language), the copy and print
 * buttons hidden until the page's script shows them, that script allowed by the response's
 * nonce, and a main button on to where the user was going.
 */
import { describe, expect, it } from "vitest";
import { codesFileName } from "../../src/pages/backup-code-list";
import { aPolicy, aSession, aTenant, send } from "../support/builders";
import { totpCode } from "../support/totp";

const browser = { Accept: "text/html", "User-Agent": "Mozilla/5.0 (test)" };

function attribute(html: string, element: RegExp, name: string): string {
  const tag = element.exec(html)?.[0];
  expect(tag, String(element)).toBeDefined();
  const value = new RegExp(` ${name}="([^"]*)"`).exec(tag!)?.[1];
  expect(value, `${name} of ${tag}`).toBeDefined();
  return value!
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&");
}

/** Enrols an authenticator app through the hosted pages in `language`; returns the backup codes page. */
async function backupCodesPage(name: string, language: string): Promise<{ response: Response; html: string }> {
  const { base } = await aTenant(
    aPolicy({ enforcement: "required", branding: { name }, operations: { statements: { routes: ["GET /echo/statements"], maxAge: 600 } } }),
  );
  const cookie = `portal_session=${await aSession({ sub: "bea" })}; __Host-stepgate-lang=${language}`;
  const enroll = (await send(`${base}/echo/statements?month=4`, { headers: { ...browser, Cookie: cookie } })).headers.get("Location")!;
  const page = await (await send(`${base}${enroll}&factor=totp`, { headers: { ...browser, Cookie: cookie } })).text();
  const field = (n: string) => new RegExp(`name="${n}" value="([^"]*)"`).exec(page)![1]!;
  const secret = /id="secret">([A-Z2-7 ]+)</.exec(page)![1]!.replace(/ /g, "");
  const response = await send(`${base}/__stepgate/enroll`, {
    method: "POST",
    headers: { ...browser, Cookie: cookie, Origin: base, "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ csrf: field("csrf"), enrollmentId: field("enrollmentId"), challenge: field("challenge"), code: totpCode(secret) }).toString(),
  });
  expect(response.status).toBe(200);
  return { response, html: await response.text() };
}

describe("the backup codes page", () => {
  it("offers the codes as a text file named for the portal, each code on a line under what they are for", async () => {
    const { html } = await backupCodesPage("Crédit Été & Co", "en");
    const codes = [...html.matchAll(/<li>([0-9a-z]{5}-[0-9a-z]{5})<\/li>/g)].map((m) => m[1]!);
    expect(codes).toHaveLength(10);
    const download = /<a [^>]*id="download-codes"[^>]*>/;
    expect(attribute(html, download, "download")).toBe("credit-ete-co-backup-codes.txt");
    const href = attribute(html, download, "href");
    expect(href.startsWith("data:text/plain;charset=utf-8,")).toBe(true);
    const file = decodeURIComponent(href.slice(href.indexOf(",") + 1));
    expect(file).toBe(`Backup codes for Crédit Été & Co. Each code works once.\n\n${codes.join("\n")}\n`);
  });

  it("writes the file's heading in the page's language", async () => {
    const { html } = await backupCodesPage("Acme", "de");
    const href = attribute(html, /<a [^>]*id="download-codes"[^>]*>/, "href");
    expect(decodeURIComponent(href.slice(href.indexOf(",") + 1))).toMatch(/^Backup-Codes für Acme\. Jeder Code gilt nur einmal\.\n\n/);
    expect(html).toContain(">Als Textdatei herunterladen</a>");
  });

  it("leaves copy and print to its script, run by the response's nonce, and goes on by a main button to where the user was going", async () => {
    const { response, html } = await backupCodesPage("Acme", "en");
    expect(html).toMatch(/<button type="button" class="secondary" id="copy-codes" hidden="">Copy the codes<\/button>/);
    expect(html).toMatch(/<button type="button" class="secondary" id="print-codes" hidden="">Print<\/button>/);
    expect(html).toMatch(/<span id="codes-copied" hidden="">The codes are copied to the clipboard\.<\/span>/);
    const nonce = /<script nonce="([^"]+)">/.exec(html)![1]!;
    expect(response.headers.get("Content-Security-Policy")).toContain(`script-src 'nonce-${nonce}'`);
    expect(html).toContain('<a class="button no-print" href="/echo/statements?month=4">I have saved my codes, continue</a>');
  });
});

describe("the file's name", () => {
  it("keeps the portal's name in plain letters and digits, or none", () => {
    expect(codesFileName("Acme <Brokers>")).toBe("acme-brokers-backup-codes.txt");
    expect(codesFileName("Łódź Bank")).toBe("lodz-bank-backup-codes.txt");
    expect(codesFileName("Große Øre")).toBe("grosse-ore-backup-codes.txt");
    expect(codesFileName("株式会社")).toBe("backup-codes.txt");
  });
});
