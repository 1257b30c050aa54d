/**
 * The admin console in a real browser: a demo-portal admin signed in, enrolled with an
 * authenticator app (the secret read off the enrolment page, as typed by hand) and in the
 * console; their authenticator's codes for later step-ups.
 */
import { Secret, TOTP } from "otpauth";
import type { Page } from "playwright-core";
import { expect } from "vitest";
import { signIn } from "./browser-support";
import type { DevServer } from "./dev-server";

export const CONSOLE = "/__stepgate/admin";

/** An admin's authenticator: the code it shows now, never the same one twice in a row. */
export interface Authenticator {
  code(): Promise<string>;
}

/** Each admin's authenticator, once they enrolled one (the demo server's state outlives a test). */
const enrolled = new Map<string, Authenticator>();

/**
 * Signs `user` in to the demo portal and opens the console: the first time, enrols an
 * authenticator app where the console sends them (the `admin_console` step-up's enrolment); after
 * that, answers the console's challenge with its next code. Returns on the console's home page.
 * @example
 * const authenticator = await adminInConsole(server, page, "admin");
 */
export async function adminInConsole(server: DevServer, page: Page, user: string): Promise<Authenticator> {
  await signIn(server, page, user);
  await page.goto(`${server.base}${CONSOLE}/`);
  const known = enrolled.get(user);
  if (known) {
    expect(page.url()).toContain("/__stepgate/challenge/");
    await page.fill("#code", await known.code());
    await page.click("button[type=submit]");
    await page.waitForLoadState();
    expect(new URL(page.url()).pathname).toBe(`${CONSOLE}/`);
    return known;
  }
  expect(page.url()).toContain("/__stepgate/enroll?challenge=");
  await page.click("text=Authenticator app");
  const secret = ((await page.textContent("#secret")) ?? "").replace(/\s+/g, "");
  const authenticator = authenticatorFor(secret);
  enrolled.set(user, authenticator);
  await page.fill("#code", await authenticator.code());
  await page.click("button[type=submit]");
  // The first factor comes with backup codes; then back to the console.
  await page.click("text=continue");
  await page.waitForLoadState();
  expect(new URL(page.url()).pathname).toBe(`${CONSOLE}/`);
  return authenticator;
}

/** An authenticator app holding `secret` (base32). */
function authenticatorFor(secret: string): Authenticator {
  const totp = new TOTP({ secret: Secret.fromBase32(secret) });
  let last = "";
  return {
    // A code is used once: the next one waits for the authenticator's next 30-second step.
    async code() {
      for (;;) {
        const code = totp.generate();
        if (code !== last) {
          last = code;
          return code;
        }
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    },
  };
}
