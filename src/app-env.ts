/**
 * @module
 * The Hono environments shared by the routes: Worker bindings and per-request variables.
 */
import type { AdminScope } from "./state/tenant/views";
import type { Policy } from "./config/policy-schema";
import type { TenantConfig } from "./config/tenant-config";
import type { Identity } from "./gate/identity";

export interface AppEnv {
  Bindings: Env;
  Variables: {
    /** The request's tenant, resolved from its hostname by `resolveTenant`. */
    tenant: TenantConfig;
  };
}

/** Routes that act for a signed-in portal user (the user API and hosted pages). */
export interface SessionEnv {
  Bindings: Env;
  Variables: AppEnv["Variables"] & {
    /** The tenant's valid policy. */
    policy: Policy;
    /** Who is signed in to the portal, set by `requireSession`. */
    identity: Identity;
  };
}

/** Admin routes: who is calling and what they may do, set by `authenticateAdmin` (API) or `consoleAccess` (console). */
export interface AdminEnv {
  Bindings: Env;
  Variables: AppEnv["Variables"] & {
    admin: {
      /** `bootstrap` for the deployment's key, `key:<id>` for a tenant key, `user:<userId>` for a portal admin; recorded in the audit trail. */
      actor: string;
      scopes: readonly AdminScope[];
    };
  };
}

/** How a console admin signed in: through the portal (their session) or with a key (the console session's token). */
export type ConsoleSignIn = { kind: "portal"; identity: Identity } | { kind: "key"; token: string; expiresAt: number };

/** Admin console pages: the admin, the tenant's valid policy and how the admin signed in, set by `consoleAccess`. */
export interface ConsoleEnv {
  Bindings: Env;
  Variables: AdminEnv["Variables"] & {
    policy: Policy;
    signIn: ConsoleSignIn;
  };
}
