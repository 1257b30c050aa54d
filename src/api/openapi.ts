/**
 * @module
 * The admin and user APIs' OpenAPI 3.1 document, served at `/__stepgate/admin/v1/openapi.json`.
 * It cannot change without a new build, so it is generated at build time from the routes'
 * declarations (`openapi-document.ts`, by `npm run assets`) and read here through the assets
 * binding, once per isolate. Generating it in the worker bundled hono-openapi's generator and
 * its schema converters for one public route.
 */
import { Hono } from "hono";
import type { AppEnv } from "../app-env";
import { ADMIN_API_BASE } from "../flows/console-access";
import { assetJson } from "../lib/asset-json";
import { ProblemError } from "../lib/problem";
import { answers } from "./route-declarations";

export const ADMIN_BASE = ADMIN_API_BASE;
export const USER_BASE = "/__stepgate/api";

/** The document's asset, written by `npm run assets`. */
export const OPENAPI_ASSET_PATH = "/openapi.json";

let served: unknown = null;

/** The document itself, public like any published API reference; mounted before the admin key check. */
export const apiDescription = new Hono<AppEnv>();

apiDescription.get("/openapi.json", answers("This document", [200, "The OpenAPI 3.1 document"], { tags: ["admin"], security: [] }), async (c) => {
  served ??= await assetJson(c.env.ASSETS, OPENAPI_ASSET_PATH).catch((error: unknown) => {
    console.error("stepgate: the OpenAPI document could not be read", error);
    return null;
  });
  if (served === null) throw new ProblemError(503, "api_description_unavailable", "The API description cannot be read right now; try again in a minute.");
  return c.json(served as object);
});
