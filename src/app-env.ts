/**
 * @module
 * The Hono environment shared by every route: Worker bindings and per-request variables.
 */
import type { TenantConfig } from "./config/tenant-config";

export interface AppEnv {
  Bindings: Env;
  Variables: {
    /** The request's tenant, resolved from its hostname by `resolveTenant`. */
    tenant: TenantConfig;
  };
}
