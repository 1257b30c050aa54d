/**
 * @module
 * A challenge shown by the SPA client (`/__stepgate/client.js`): in its dialog (an iframe), in a
 * popup, or by a full redirect that comes back to the portal's page. The client opens the
 * challenge's page with `?embed=dialog|popup|redirect`; from then on every page of that challenge
 * (the code pages, enrolment, the backup codes) knows it, through a cookie named for the
 * challenge, and where the pages would send the held request or go back to the portal they end
 * instead on `/challenge/:id/finished`, which tells the client (a message to the window that
 * opened it) or goes back to the page the redirect came from.
 *
 * A cookie rather than the query flag carried through every link and form: the pages of a
 * challenge are many (send, resend, other factor, enrolment, change of number, backup codes),
 * and one missed link would end the dialog in a page that completes the request itself.
 */
import type { Context, MiddlewareHandler } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { SessionEnv } from "../app-env";
import { signedInUser } from "../flows/require-session";
import { ID_PATTERN } from "../lib/ids";
import { reachState } from "../lib/reach-state";
import { sameHostPath } from "../lib/return-to";
import { STEPGATE_COOKIE_PREFIX } from "../gate/stepgate-cookies";

export type EmbedMode = "dialog" | "popup" | "redirect";

/** How a challenge is shown by the client, and for a redirect where it goes back to. */
export interface Embedding {
  challengeId: string;
  mode: EmbedMode;
  /** `redirect` only: the portal's page (a same-host path) the client left. */
  returnTo: string | null;
}

const MODES: ReadonlySet<string> = new Set<EmbedMode>(["dialog", "popup", "redirect"]);
/** As long as a challenge lives (`CHALLENGE_TTL_MS`): the cookie ends with it. */
const EMBED_COOKIE_MAX_AGE_SECONDS = 10 * 60;
/**
 * `__Host-`: this host only, so a sibling subdomain cannot plant one (which would end an ordinary
 * challenge on the finished page, its held request never sent); its path must then be `/`, and
 * the gate keeps it from the portal's origin as every `__Host-stepgate-` cookie.
 */
const EMBED_COOKIE_PATH = "/";
const cookieName = (challengeId: string) => `${STEPGATE_COOKIE_PREFIX}embed-${challengeId}`;
/**
 * A redirect's way back, kept in the cookie: a browser drops a cookie over 4096 bytes (and the
 * challenge's later pages would then not be embedded). Encoded, a path this long stays under it.
 */
const MAX_RETURN_TO_CHARS = 2048;

/**
 * The challenge a hosted page is for: `/challenge/<id>…` or `/enroll…?challenge=<id>`.
 * @example
 * challengeOfPage(c) // "Vd2…" on /__stepgate/challenge/Vd2…/send
 */
function challengeOfPage(c: Context): string | null {
  const path = new URL(c.req.url).pathname;
  const inPath = /^\/__stepgate\/challenge\/([^/]+)/.exec(path)?.[1];
  const id = inPath ?? (path.startsWith("/__stepgate/enroll") ? c.req.query("challenge") : undefined);
  return id && ID_PATTERN.test(id) ? id : null;
}

/** What was found for a request, so the layout reads what its route decided. */
const found = new WeakMap<Request, Embedding | null>();
/** Requests whose `?embed=` names a challenge this session has open (see {@link noteEmbedding}). */
const askedForOpen = new WeakSet<Request>();

/**
 * For the hosted pages (after `requireSession`): notes `?embed=` on the page of a challenge this
 * session has open, and how the page's challenge is embedded, for the pages after it.
 *
 * Every other id is refused: a cookie is made per challenge, so a portal page carrying
 * attacker HTML (an `<iframe>` or a link, same-origin) could otherwise leave one for any id it
 * makes up, as many as it likes, on every request to stepgate's paths (its pages, `client.js`,
 * `completeUrl`) until the requests are too large to be answered.
 * @example
 * hostedPages.use("/challenge/*", requireSession(), noteEmbedding);
 */
export const noteEmbedding: MiddlewareHandler<SessionEnv> = async function noteEmbedding(c, next) {
  const id = challengeOfPage(c);
  if (id && asksToEmbed(c) && (await challengeOpen(c, id))) askedForOpen.add(c.req.raw);
  embeddingOf(c);
  await next();
};

async function challengeOpen(c: Context<SessionEnv>, challengeId: string): Promise<boolean> {
  return (await reachState(() => signedInUser(c).describeChallenge(challengeId, c.var.identity.sessionId))) !== null;
}

/**
 * How this page's challenge (or `challengeId`, a form's) is embedded, if it is: `?embed=` on a
 * page the portal's own page opened (kept in the challenge's cookie for the pages after it),
 * else the cookie. A link from another site cannot make a challenge embedded: its pages would
 * end in a message to a window that is not there, and the held request would never be sent.
 * @example
 * const embedded = embeddingOf(c); // { challengeId, mode: "dialog", returnTo: null } or null
 */
export function embeddingOf(c: Context, challengeId: string | null = challengeOfPage(c)): Embedding | null {
  if (!challengeId || !ID_PATTERN.test(challengeId)) return null;
  const embedding = askedEmbedding(c, challengeId) ?? keptEmbedding(c, challengeId);
  found.set(c.req.raw, embedding);
  return embedding;
}

/**
 * The embedding of the page being rendered for this request: what its route found, else what
 * its path and query say.
 * @example
 * const embedded = pageEmbedding(c);
 */
export function pageEmbedding(c: Context): Embedding | null {
  return found.has(c.req.raw) ? found.get(c.req.raw)! : embeddingOf(c);
}

function askedEmbedding(c: Context, challengeId: string): Embedding | null {
  if (!askedForOpen.has(c.req.raw) || challengeOfPage(c) !== challengeId) return null;
  const mode = c.req.query("embed") as EmbedMode;
  const back = mode === "redirect" ? sameHostPath(c.req.query("return_to")) : null;
  const returnTo = back && back.length <= MAX_RETURN_TO_CHARS ? back : null;
  setCookie(c, cookieName(challengeId), returnTo ? `${mode}:${returnTo}` : mode, {
    path: EMBED_COOKIE_PATH,
    secure: true,
    httpOnly: true,
    sameSite: "Strict",
    maxAge: EMBED_COOKIE_MAX_AGE_SECONDS,
  });
  return { challengeId, mode, returnTo };
}

function keptEmbedding(c: Context, challengeId: string): Embedding | null {
  const kept = getCookie(c, cookieName(challengeId));
  if (!kept) return null;
  const colon = kept.indexOf(":");
  const mode = colon === -1 ? kept : kept.slice(0, colon);
  if (!MODES.has(mode)) return null;
  return { challengeId, mode: mode as EmbedMode, returnTo: mode === "redirect" ? sameHostPath(kept.slice(colon + 1)) : null };
}

/**
 * Forgets that the challenge is embedded (it has finished).
 * @example
 * forgetEmbedding(c, embedded.challengeId);
 */
export function forgetEmbedding(c: Context, challengeId: string): void {
  deleteCookie(c, cookieName(challengeId), { path: EMBED_COOKIE_PATH, secure: true });
}

/** Where an embedded challenge's pages end (see the module). */
export function finishedPath(challengeId: string): string {
  return `/__stepgate/challenge/${challengeId}/finished`;
}

/**
 * `?embed=` as the client asks it: a page (GET) opened from this site's own page (the client's
 * iframe or popup, a same-site redirect) or typed in, as a navigation: the client only ever
 * navigates to it (a frame, a popup, the tab), never loads it as an image, a style or a fetch.
 */
function asksToEmbed(c: Context): boolean {
  const asked = c.req.query("embed");
  if (asked === undefined || !MODES.has(asked) || c.req.method !== "GET") return false;
  const site = c.req.header("Sec-Fetch-Site");
  const mode = c.req.header("Sec-Fetch-Mode");
  return (site === undefined || site === "same-origin" || site === "none") && (mode === undefined || mode === "navigate");
}
