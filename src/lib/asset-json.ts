/**
 * @module
 * JSON files among the worker's static assets (`wrangler.jsonc` `assets`), read through the
 * assets binding. Nothing here is reachable by URL: the worker runs first for every request
 * and never hands one to the assets.
 */

/** The host of the binding's requests: the binding serves by path, whatever the host. */
const ASSET_HOST = "https://assets.invalid";

/**
 * The JSON at `path` among `assets`, or `null` when there is none.
 * @example
 * await assetJson(env.ASSETS, "/i18n/de.json") // { pages: { … }, messages: { … } }
 */
export async function assetJson(assets: Fetcher, path: string): Promise<unknown> {
  const response = await assets.fetch(`${ASSET_HOST}${path}`);
  if (response.status === 404) {
    await response.body?.cancel();
    return null;
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new Error(`asset ${path}: HTTP ${response.status}`);
  }
  return response.json();
}
