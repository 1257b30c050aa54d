/**
 * @module
 * The policy's `identity`: where the portal's session JWT is carried, how it is verified, and
 * which of its claims name the user, the session, their addresses and groups.
 */
import * as z from "zod";
import { HttpUrl, SecretRef } from "./policy-values";

const AUDIENCE = "The JWT's `aud`, checked when set; required with `RS256` / `ES256`, since an identity provider signs tokens for many apps.";

const IdentityClaims = z.strictObject({
  userId: z.string().min(1).default("sub").describe("Claim holding the user's id."),
  sessionId: z
    .string()
    .min(1)
    .default("sid")
    .describe("Claim holding the portal session's id; a token without it is bound to a hash of the token itself, so a new token counts as a new session."),
  email: z
    .string()
    .min(1)
    .default("email")
    .describe(
      "Claim holding the user's email address (shown in the admin directory, and an address security alerts may go to). Only one plain address (`local@domain`, at most 254 characters) is taken; any other value (a display name, a list, spaces, `<>`, line breaks) is ignored as if the claim were absent.",
    ),
  phone: z.string().min(1).default("phone_number").describe("Claim holding the user's phone number."),
  groups: z.string().min(1).default("groups").describe("Claim holding the user's groups (see `requiredGroups`)."),
  locale: z
    .string()
    .min(1)
    .optional()
    .describe(
      "Claim holding the user's language in the portal (`de`, `pt-BR`, `zh-Hans-CN`…); when named, it chooses the language of the pages after the language menu, before `Accept-Language`.",
    ),
});

const IdentityCommon = {
  cookie: z.string().min(1).optional().describe("Cookie holding the portal's session JWT; name the cookie, the header or both."),
  header: z.string().min(1).optional().describe("Header holding the portal's session JWT (a `Bearer ` prefix is accepted)."),
  issuer: z.string().min(1).optional().describe("The JWT's `iss`, checked when set."),
  audience: z.string().min(1).optional().describe(AUDIENCE),
  claims: IdentityClaims.prefault({}).describe("The claim names for the user id, session id, email, phone, groups and language."),
};

const ALGORITHM = "`HS256` with `secretRef`, or `RS256` / `ES256` with `jwksUrl`.";

export const IdentitySchema = z
  .discriminatedUnion("algorithm", [
    z.strictObject({
      algorithm: z.literal("HS256").describe(ALGORITHM),
      secretRef: SecretRef.describe("Name of the Worker secret holding the HS256 key: `TENANT_<TENANT>_JWT_SECRET` (see “Secret names”)."),
      ...IdentityCommon,
    }),
    z.strictObject({
      algorithm: z.enum(["RS256", "ES256"]).describe(ALGORITHM),
      jwksUrl: HttpUrl.describe("The identity provider's JWKS URL, cached per isolate (10 min, fetched again on an unknown `kid`)."),
      ...IdentityCommon,
      // An identity provider signs tokens for many apps; only those for this portal count.
      audience: z.string().min(1).describe(AUDIENCE),
    }),
  ])
  .refine((identity) => identity.cookie || identity.header, {
    message: "name the cookie or the header that carries the portal session JWT",
    path: ["cookie"],
  })
  .describe("How stepgate learns who the user is: the portal's session JWT, where it is carried and how it is verified.");
