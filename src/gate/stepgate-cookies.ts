/**
 * @module
 * Every cookie stepgate sets is named `__Host-stepgate-…`: grants, the trusted device, the
 * console's session, the language chosen, a challenge shown by the SPA client. `__Host-` means
 * this host only, path `/`, Secure: a sibling subdomain cannot set or overwrite one. None of them
 * is the portal's business, so the gate keeps every cookie with this prefix from the origin.
 */
export const STEPGATE_COOKIE_PREFIX = "__Host-stepgate-";
