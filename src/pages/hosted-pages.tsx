/**
 * @module
 * The hosted pages under `/__stepgate/`: server-rendered forms that work without JavaScript.
 * Every POST is checked twice against cross-site forgery: Hono's `csrf()` refuses a foreign
 * `Origin`, and the form must carry the session's CSRF token. This module mounts those guards
 * (and the form size limit, and the choice of the page's language) before the pages: answering a challenge (`challenge-routes.tsx`)
 * and enrolling a factor (`enroll-routes.tsx`, a passkey's in `passkey-enroll-routes.tsx`).
 */
import { Hono, type MiddlewareHandler } from "hono";
import { csrf } from "hono/csrf";
import type { SessionEnv } from "../app-env";
import { requireSession } from "../flows/require-session";
import { allowFramingBySite } from "../lib/own-response-headers";
import { challengePages } from "./challenge-routes";
import { enrollPages } from "./enroll-routes";
import { languageChoice } from "./i18n/language-choice";
import { passkeyEnrollPages } from "./passkey-enroll-routes";
import { noteEmbedding } from "./embedding";
import { limitForm, noStore } from "./page-forms";

export const hostedPages = new Hono<SessionEnv>();

/** The challenge and enrolment pages, and their errors, may be shown in the SPA client's dialog. */
const framedBySite: MiddlewareHandler<SessionEnv> = async function framedBySite(c, next) {
  allowFramingBySite(c);
  await next();
};

/** Only the pages' own paths: other `/__stepgate/*` requests must keep their own 404s and auth. */
// `/enroll/*` also matches `/enroll` itself (Hono): each path once, so the chain runs once.
for (const path of ["/challenge/*", "/enroll/*"]) {
  hostedPages.use(path, framedBySite, csrf(), requireSession(), languageChoice(), noStore, noteEmbedding);
  hostedPages.post(path, limitForm);
}

// After the guards above: Hono runs handlers in the order they were added.
hostedPages.route("/", challengePages);
hostedPages.route("/", enrollPages);
hostedPages.route("/", passkeyEnrollPages);
