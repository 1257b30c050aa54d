/**
 * @module
 * The hosted pages under `/__stepgate/`: server-rendered forms that work without JavaScript.
 * Every POST is checked twice against cross-site forgery: Hono's `csrf()` refuses a foreign
 * `Origin`, and the form must carry the session's CSRF token. This module mounts those guards
 * (and the form size limit) before the pages: answering a challenge (`challenge-routes.tsx`)
 * and enrolling a factor (`enroll-routes.tsx`).
 */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { csrf } from "hono/csrf";
import type { SessionEnv } from "../app-env";
import { requireSession } from "../flows/require-session";
import { problem } from "../lib/problem";
import { challengePages } from "./challenge-routes";
import { enrollPages } from "./enroll-routes";
import { noStore } from "./page-forms";

/** A hosted-page form is a few short fields. */
const MAX_FORM_BYTES = 4 * 1024;

export const hostedPages = new Hono<SessionEnv>();

/** Only the pages' own paths: other `/__stepgate/*` requests must keep their own 404s and auth. */
for (const path of ["/challenge/*", "/enroll", "/enroll/*"]) {
  hostedPages.use(path, csrf(), requireSession(), noStore);
  hostedPages.post(path, bodyLimit({ maxSize: MAX_FORM_BYTES, onError: () => problem(413, "body_too_large", `A form is at most ${MAX_FORM_BYTES} bytes.`) }));
}

// After the guards above: Hono runs handlers in the order they were added.
hostedPages.route("/", challengePages);
hostedPages.route("/", enrollPages);
