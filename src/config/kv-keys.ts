/**
 * @module
 * Every KV key stepgate reads or writes, named in one place.
 */
export const kvKeys = {
  /** hostname (lower case, no port) → tenant id */
  host: (hostname: string) => `host:${hostname}`,
  /** tenant id → the policy JSON */
  policy: (tenantId: string) => `policy:${tenantId}`,
};
