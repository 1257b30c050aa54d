/**
 * @module
 * `/__stepgate/client.js`: the SPA client (`client/`, built into the worker's assets by
 * `npm run assets`), which a portal loads with one script tag to show step-ups in place. The
 * same file for every host: served before the tenant is known, cacheable for a few minutes
 * (a new deployment reaches browsers within them), revalidated by the asset's ETag.
 */
import type { Context } from "hono";

export const CLIENT_SCRIPT_PATH = "/__stepgate/client.js";
/** Short, so a deployment's fix reaches every browser soon; the ETag makes revalidation cheap. */
const CLIENT_SCRIPT_CACHE_SECONDS = 5 * 60;
const ASSET_URL = "https://assets.invalid/client.js";

/**
 * Answers {@link CLIENT_SCRIPT_PATH} from the assets binding (a `304` for a matching `If-None-Match`).
 * @example
 * app.get(CLIENT_SCRIPT_PATH, clientScript);
 */
export async function clientScript(c: Context<{ Bindings: Env }>): Promise<Response> {
  const conditional = c.req.header("If-None-Match");
  const asset = await c.env.ASSETS.fetch(ASSET_URL, { headers: conditional ? { "If-None-Match": conditional } : {} });
  if (!asset.ok && asset.status !== 304) {
    await asset.body?.cancel();
    throw new Error(`asset /client.js: HTTP ${asset.status}`);
  }
  const headers: Record<string, string> = {
    "Content-Type": "text/javascript; charset=utf-8",
    "Cache-Control": `public, max-age=${CLIENT_SCRIPT_CACHE_SECONDS}`,
  };
  const etag = asset.headers.get("ETag");
  if (etag) headers.ETag = etag;
  if (asset.status === 304) return c.body(null, 304, headers);
  return c.body(await asset.text(), 200, headers);
}
